-- daily_slowest: the day's slowest paths by p95 time-taken (exact quantiles, seconds).
-- Answers: one row per path with at least min_requests: path, requests, p50_seconds, p95_seconds.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {min_requests:UInt32}         ignore paths with fewer requests
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_min_requests=20 --param_limit=5 --queries-file sql/queries/daily_slowest.sql
SELECT
    path,
    count() AS requests,
    round(quantileExact(0.5)(time_taken), 3) AS p50_seconds,
    round(quantileExact(0.95)(time_taken), 3) AS p95_seconds
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY path
HAVING requests >= {min_requests:UInt32}
ORDER BY p95_seconds DESC, path
LIMIT {limit:UInt32}
