-- daily_status: the day's status codes (GoAccess: HTTP status codes).
-- Answers: one row per status: status, requests, bytes; most requests first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_status.sql
-- Whole 5-minute buckets come from the rollup p_5min (sql/schema/021), the window's
-- partial edge buckets from the rows.
SELECT status, sum(n) AS requests, sum(b) AS bytes
FROM
(
    SELECT status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
               AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
    GROUP BY status
    UNION ALL
    SELECT status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
      AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
    GROUP BY status
)
GROUP BY status
ORDER BY requests DESC, status
