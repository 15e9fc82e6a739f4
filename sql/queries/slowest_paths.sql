-- slowest_paths: the paths whose requests took longest (time-taken, seconds) in a window.
-- Phrases: slowest paths [WINDOW]   e.g. "slowest paths", "slowest paths last 24h"
-- Answers: one row per path with at least min_requests requests: path, requests,
--   p50_seconds, p95_seconds (exact quantiles), max_seconds; slowest p95 first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {min_requests:UInt32}         ignore paths with fewer requests        default: 10
--   {limit:UInt32}                rows                                    default: 10
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 11:00:00' \
--   --param_min_requests=10 --param_limit=10 --queries-file sql/queries/slowest_paths.sql
SELECT
    path,
    count() AS requests,
    round(quantileExact(0.5)(time_taken), 3) AS p50_seconds,
    round(quantileExact(0.95)(time_taken), 3) AS p95_seconds,
    round(max(time_taken), 3) AS max_seconds
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY path
HAVING requests >= {min_requests:UInt32}
ORDER BY p95_seconds DESC, path
LIMIT {limit:UInt32}
