-- health_ingest_lag: minutes since the ingest manifest last finished an object.
-- Answers: one row: value (minutes, NULL when no object was ever loaded), last_object,
--   failed (objects failed in the last day).
-- Parameters:
--   {until:DateTime64(3, 'UTC')}  now, UTC
-- Run: clickhouse-client --param_until='2026-11-22 10:05:00' --queries-file sql/queries/health_ingest_lag.sql
SELECT
    if(countIf(status = 'done') = 0, NULL,
       dateDiff('second', maxIf(finished_at, status = 'done'), {until:DateTime64(3, 'UTC')}) / 60) AS value,
    argMaxIf(key, finished_at, status = 'done') AS last_object,
    countIf(status = 'failed' AND finished_at >= {until:DateTime64(3, 'UTC')} - INTERVAL 1 DAY) AS failed
FROM ingest_objects FINAL
