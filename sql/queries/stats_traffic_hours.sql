-- stats_traffic_hours: requests, bytes and errors per hour of a window, for the weekly organization statistics.
-- Answers: one row per hour that saw requests: time (hour start, UTC), requests,
--   bytes (sent), s4xx (400-499), s5xx (500-599); oldest first. Totals, the busiest day and
--   the busiest hour are summed from these rows.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/stats_traffic_hours.sql
-- The window's whole hours come from the hourly rollup p_hour_path (sql/schema/009),
-- only its partial edge hours from the rows (a week from midnight to midnight has none).
SELECT
    time,
    sum(n) AS requests,
    sum(b) AS bytes,
    sumIf(n, status BETWEEN 400 AND 499) AS s4xx,
    sumIf(n, status BETWEEN 500 AND 599) AS s5xx
FROM
(
    SELECT toStartOfHour(ts) AS time, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY time, status
    UNION ALL
    SELECT toStartOfHour(ts) AS time, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY time, status
)
GROUP BY time
ORDER BY time
