-- slowest_paths: the paths whose requests took longest (time-taken, seconds) in a window.
-- Phrases: slowest paths [WINDOW]   e.g. "slowest paths", "slowest paths last 24h"
-- Answers: one row per path with at least min_requests requests: path, requests,
--   p50_seconds, p95_seconds, max_seconds; slowest p95 first.
-- p50 and p95 are ClickHouse's quantileTiming over whole milliseconds: exact (the
-- value at position floor(level × count) in sorted order) while a path has at most
-- 5,671 requests in the window; beyond that, exact below 1,024 ms and within 16 ms
-- above, each time over 30 s counting as 30 s. max_seconds is always exact.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {min_requests:UInt32}         ignore paths with fewer requests        default: 10
--   {limit:UInt32}                rows                                    default: 10
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 11:00:00' \
--   --param_min_requests=10 --param_limit=10 --queries-file sql/queries/slowest_paths.sql
-- The window's whole hours come from the hourly rollup p_hour_latency (sql/schema/010),
-- whose quantileTiming states merge with those of the partial edge hours, counted
-- from the rows; a state holds the values (or, past 5,671, their histogram), not
-- quantiles, so merging them loses nothing.
SELECT
    path,
    requests,
    round(q[1] / 1000, 3) AS p50_seconds,
    round(q[2] / 1000, 3) AS p95_seconds,
    round(slowest, 3) AS max_seconds
FROM
(
    SELECT path, sum(n) AS requests, max(m) AS slowest, quantilesTimingMerge(0.5, 0.95)(s) AS q
    FROM
    (
        SELECT path, count() AS n, max(time_taken) AS m,
               quantilesTimingState(0.5, 0.95)(toUInt32(round(time_taken * 1000))) AS s
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                   AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
        GROUP BY path
        UNION ALL
        SELECT path, count() AS n, max(time_taken) AS m,
               quantilesTimingState(0.5, 0.95)(toUInt32(round(time_taken * 1000))) AS s
        FROM requests
        WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
          AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
        GROUP BY path
    )
    GROUP BY path
    HAVING requests >= {min_requests:UInt32}
)
ORDER BY p95_seconds DESC, path
LIMIT {limit:UInt32}
