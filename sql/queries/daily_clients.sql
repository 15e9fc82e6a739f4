-- daily_clients: the day's top clients for a status range (GoAccess: visitor hosts and IPs).
-- Answers: one row per client: ip, requests, bytes, top_path (its most requested path).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {status_min:UInt16}           lowest status counted (0 for all)
--   {status_max:UInt16}           highest status counted (999 for all)
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=400 --param_status_max=499 --param_limit=5 --queries-file sql/queries/daily_clients.sql
SELECT
    replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
    sum(c) AS requests,
    sum(b) AS bytes,
    argMax(path, c) AS top_path
FROM
(
    SELECT client_ip, path, count() AS c, sum(bytes_out) AS b
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
    GROUP BY client_ip, path
)
GROUP BY client_ip
ORDER BY requests DESC, ip
LIMIT {limit:UInt32}
