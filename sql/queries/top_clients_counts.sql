-- top_clients_counts: top_by_ip's answer counted for the listed clients alone, with what the certificate needs.
-- The second step of a certified `top … by ip` (query/topclients.go): it reads
-- the p_ip projection (sql/schema/007, sorted by client_ip), so only the
-- listed clients' granules, once.
-- Answers: up to limit rows, the heaviest first: top_by_ip's columns (ip,
--   requests, bytes, top_status, top_method, top_path), then client_ip and,
--   on every row, hours_all and requests_all: the hours (Unix times) and the
--   matching requests in each of all the listed clients, not only the rows shown.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {status_min:UInt16}           lowest status counted                   default: 0
--   {status_max:UInt16}           highest status counted                  default: 999
--   {path:String}                 only this path; '' for any              default: ''
--   {host:String}                 only this Host; '' for any              default: ''
--   {clients:Array(IPv6)}         the clients to count                    default: []
--   {limit:UInt32}                rows                                    default: 10
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=400 --param_status_max=499 --param_path= --param_host= \
--   --param_clients="['::ffff:104.2.1.1']" --param_limit=10 --queries-file sql/queries/top_clients_counts.sql
SELECT ip, requests, bytes, top_status, top_method, top_path, client_ip,
       (sumMap(hours, ns) OVER ()).1 AS hours_all, (sumMap(hours, ns) OVER ()).2 AS requests_all
FROM
(
    SELECT
        replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
        client_ip,
        count() AS requests,
        sum(bytes_out) AS bytes,
        arrayElement(topK(1, 1000)(status), 1) AS top_status,
        arrayElement(topK(1, 1000)(method), 1) AS top_method,
        arrayElement(topK(1, 1000)(path), 1) AS top_path,
        sumMap([toUnixTimestamp(toStartOfHour(ts))], [toUInt64(1)]) AS by_hour,
        by_hour.1 AS hours,
        by_hour.2 AS ns
    FROM requests
    WHERE client_ip IN {clients:Array(IPv6)}
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
      AND ({path:String} = '' OR path = {path:String})
      AND ({host:String} = '' OR host = {host:String})
    GROUP BY client_ip
)
ORDER BY requests DESC, client_ip
LIMIT {limit:UInt32}
