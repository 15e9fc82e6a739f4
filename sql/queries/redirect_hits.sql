-- redirect_hits: requests for one path (or a path and everything below it) in a window, by status: what a redirect changes.
-- Phrases: shown under `redirect test PATH` and before a `redirect` is confirmed.
-- Answers: one row per status: status, requests, clients (distinct IPs), first_seen, last_seen; most requests first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-24h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {path:String}                 the path, as logged                     default: /
--   {below:UInt8}                 1: also every path below it (a prefix rule) default: 0
--   {limit:UInt32}                rows (statuses)                         default: 10
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_path=/donate-now --param_below=0 --param_limit=10 --queries-file sql/queries/redirect_hits.sql
SELECT
    status,
    count() AS requests,
    uniq(client_ip) AS clients,
    min(ts) AS first_seen,
    max(ts) AS last_seen
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND (path = {path:String}
       OR ({below:UInt8} = 1 AND startsWith(path, concat(trimRight({path:String}, '/'), '/'))))
GROUP BY status
ORDER BY requests DESC, status
LIMIT {limit:UInt32}
