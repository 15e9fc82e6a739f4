-- daily_paths: the day's top paths for a status range (GoAccess: requested files;
-- not-found URLs with 404–404; static requests with static=1).
-- Answers: one row per path: path, requests, bytes (visitors: daily_visitors).
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
-- Whole hours come from the rollup p_hour_path (sql/schema/009), the window's partial
-- edge hours from the rows.
SELECT path, sum(n) AS requests, sum(b) AS bytes
FROM
(
    SELECT path, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY path, status
    UNION ALL
    SELECT path, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY path, status
)
WHERE status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
  AND ({static:UInt8} = 0 OR match(path, '\\.(js|css|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|map|txt)$'))
GROUP BY path
ORDER BY requests DESC, path
LIMIT {limit:UInt32}
