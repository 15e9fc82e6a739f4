-- daily_paths: the day's top paths for a status range (GoAccess: requested files;
-- not-found URLs with 404–404; static requests with static=1).
-- Answers: one row per path: path, requests, visitors, bytes.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {status_min:UInt16}           lowest status counted (0 for all)
--   {status_max:UInt16}           highest status counted (999 for all)
--   {static:UInt8}                1: only static files (by extension); 0: every path
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=0 --param_status_max=999 --param_static=0 --param_limit=5 \
--   --queries-file sql/queries/daily_paths.sql
SELECT path, count() AS requests, uniqExact(client_ip) AS visitors, sum(bytes_out) AS bytes
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
  AND ({static:UInt8} = 0 OR match(path, '\\.(js|css|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|map|txt)$'))
GROUP BY path
ORDER BY requests DESC, path
LIMIT {limit:UInt32}
