-- daily_hours: traffic per hour (GoAccess: time distribution).
-- Answers: one row per hour with traffic: hour (UTC start), requests, bytes, errors
--   (visitors: daily_visitor_count, per hour).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_hours.sql
-- Whole 5-minute buckets come from the rollup p_5min (sql/schema/021), the window's
-- partial edge buckets from the rows.
SELECT hour, requests, bytes, errors
FROM
(
    SELECT toStartOfHour(bucket) AS hour, sum(n) AS requests, sum(b) AS bytes, sumIf(n, status >= 400 OR status = 0) AS errors
    FROM
    (
        SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
                   AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
        GROUP BY bucket, status
        UNION ALL
        SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
          AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
        GROUP BY bucket, status
    )
    GROUP BY hour
)
ORDER BY hour
