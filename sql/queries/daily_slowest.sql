-- daily_slowest: the day's slowest paths by p95 time-taken (seconds).
-- Answers: one row per path with at least min_requests: path, requests, p50_seconds, p95_seconds.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {min_requests:UInt32}         ignore paths with fewer requests
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_min_requests=20 --param_limit=5 --queries-file sql/queries/daily_slowest.sql
-- p50 and p95 are ClickHouse's quantileTiming over whole milliseconds, as slowest_paths
-- reads them: exact (the value at position floor(level × count) in sorted order, as
-- quantileExact picks it) while a path has at most 5,671 requests in the day; beyond
-- that, exact below 1,024 ms and within 16 ms above, each time over 30 s counting as 30 s.
-- The day's whole hours come from the hourly rollup p_hour_latency (sql/schema/010),
-- whose quantileTiming states merge with those of the partial edge hours, from the rows.
SELECT
    path,
    requests,
    round(q[1] / 1000, 3) AS p50_seconds,
    round(q[2] / 1000, 3) AS p95_seconds
FROM
(
    SELECT path, sum(n) AS requests, quantilesTimingMerge(0.5, 0.95)(s) AS q
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
