-- health_ingest_lag_rows: minutes since the newest request in the requests table: the
-- ingest-lag rule's fallback where there is no ingest manifest.
-- Answers: one row: value (minutes, NULL when the table is empty), newest.
-- Parameters:
--   {until:DateTime64(3, 'UTC')}  now, UTC
-- Run: clickhouse-client --param_until='2026-11-22 10:05:00' --queries-file sql/queries/health_ingest_lag_rows.sql
SELECT
    if(count() = 0, NULL, dateDiff('second', max(ts), {until:DateTime64(3, 'UTC')}) / 60) AS value,
    max(ts) AS newest
FROM requests
WHERE ts >= {until:DateTime64(3, 'UTC')} - INTERVAL 7 DAY
