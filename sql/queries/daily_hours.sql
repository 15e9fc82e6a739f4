-- daily_hours: traffic per hour (GoAccess: time distribution).
-- Answers: one row per hour with traffic: hour (UTC start), requests, visitors, bytes, errors.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_hours.sql
SELECT
    toStartOfHour(ts) AS hour,
    count() AS requests,
    uniqExact(client_ip) AS visitors,
    sum(bytes_out) AS bytes,
    countIf(status >= 400 OR status = 0) AS errors
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY hour
ORDER BY hour
