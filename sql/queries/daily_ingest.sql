-- daily_ingest: the ingest manifest's day: objects loaded and failed, rows, rejected
-- lines, and the worst delay between an object's time and its load.
-- Answers: one row: objects, failed, rows, rejected, max_delay_seconds, last_loaded.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_ingest.sql
SELECT
    countIf(status = 'done') AS objects,
    countIf(status = 'failed') AS failed,
    sumIf(rows, status = 'done') AS rows,
    sum(rejected) AS rejected,
    maxIf(dateDiff('second', object_time, finished_at), status = 'done') AS max_delay_seconds,
    maxIf(finished_at, status = 'done') AS last_loaded
FROM ingest_objects FINAL
WHERE object_time >= {since:DateTime64(3, 'UTC')} AND object_time < {until:DateTime64(3, 'UTC')}
