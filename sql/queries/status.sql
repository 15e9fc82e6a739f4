-- status: the status mix in a window.
-- Phrases: status [WINDOW]   e.g. "status", "status last 24h", "status yesterday"
-- Answers: one row per status code: status, requests; most requests first.
--   Status 0 is CloudFront's 000 (the viewer went away).
-- The window's whole hours come from the p_hour_status projection
-- (sql/schema/003); only its partial edge hours are counted from the rows.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 11:00:00' \
--   --queries-file sql/queries/status.sql
SELECT
    status,
    sum(n) AS requests
FROM
(
    SELECT status, count() AS n
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY status
    UNION ALL
    SELECT status, count() AS n
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY status
)
GROUP BY status
ORDER BY requests DESC, status
