-- daily_status: the day's status codes (GoAccess: HTTP status codes).
-- Answers: one row per status: status, requests, bytes; most requests first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_status.sql
SELECT status, count() AS requests, sum(bytes_out) AS bytes
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY status
ORDER BY requests DESC, status
