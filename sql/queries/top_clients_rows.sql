-- top_clients_rows: the answer of `top … by ip` for clients already chosen, with the same columns as top_by_ip.
-- The last step of a certified `top … by ip` (query/topclients.go): once the
-- top clients are proven, their modes are counted from their rows alone,
-- through the p_ip projection (sql/schema/007).
-- Answers: one row per client: ip, requests, bytes (sent), top_status, top_method, top_path
--   (each the most frequent value among that client's matching requests).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {status_min:UInt16}           lowest status counted                   default: 0
--   {status_max:UInt16}           highest status counted                  default: 999
--   {path:String}                 only this path; '' for any              default: ''
--   {host:String}                 only this Host; '' for any              default: ''
--   {clients:Array(IPv6)}         the clients                             default: []
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=400 --param_status_max=499 --param_path= --param_host= \
--   --param_clients="['::ffff:104.2.1.1']" --queries-file sql/queries/top_clients_rows.sql
SELECT
    replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
    count() AS requests,
    sum(bytes_out) AS bytes,
    arrayElement(topK(1, 1000)(status), 1) AS top_status,
    arrayElement(topK(1, 1000)(method), 1) AS top_method,
    arrayElement(topK(1, 1000)(path), 1) AS top_path
FROM requests
WHERE client_ip IN {clients:Array(IPv6)}
  AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
  AND ({path:String} = '' OR path = {path:String})
  AND ({host:String} = '' OR host = {host:String})
GROUP BY client_ip
ORDER BY requests DESC, client_ip
