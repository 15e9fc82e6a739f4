-- daily_series: requests and errors per 5 minutes over the day (the report's chart).
-- Answers: one row per 5-minute bucket with traffic: bucket, requests, s4xx, s5xx (5xx and 000).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_series.sql
-- Whole 5-minute buckets come from the rollup p_5min (sql/schema/021), the window's
-- partial edge buckets from the rows.
SELECT
    bucket,
    sum(n) AS requests,
    sumIf(n, status BETWEEN 400 AND 499) AS s4xx,
    sumIf(n, status >= 500 OR status = 0) AS s5xx
FROM
(
    SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
               AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
    GROUP BY bucket, status
    UNION ALL
    SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n
    FROM requests
    WHERE toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
      AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
    GROUP BY bucket, status
)
GROUP BY bucket
ORDER BY bucket
