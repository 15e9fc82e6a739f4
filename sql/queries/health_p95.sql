-- health_p95: the 95th percentile of time-taken (seconds) in a window.
-- Answers: one row: value (p95 seconds, NULL with fewer than min_requests), requests.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
--   {min_requests:UInt32}         fewer requests than this is no data     default: 20
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 10:05:00' \
--   --param_min_requests=20 --queries-file sql/queries/health_p95.sql
SELECT
    if(count() < {min_requests:UInt32}, NULL, round(quantile(0.95)(time_taken), 3)) AS value,
    count() AS requests
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
