-- stats_ingest: what the ingest loaded in a window, from its manifest (each object's newest state).
-- Answers: one row: objects (loaded), rows (loaded), rejected (lines that could not be read),
--   failed (objects that failed and were not loaded since), lag_p95_seconds and
--   lag_max_seconds (from the object's time to the end of its load, over loaded objects).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/stats_ingest.sql
SELECT
    countIf(status = 'done') AS objects,
    sumIf(rows, status = 'done') AS rows,
    sumIf(rejected, status = 'done') AS rejected,
    countIf(status = 'failed') AS failed,
    if(countIf(status = 'done') = 0, 0,
       round(quantileExactIf(0.95)(dateDiff('millisecond', object_time, finished_at) / 1000, status = 'done'), 3)) AS lag_p95_seconds,
    if(countIf(status = 'done') = 0, 0,
       round(maxIf(dateDiff('millisecond', object_time, finished_at) / 1000, status = 'done'), 3)) AS lag_max_seconds
FROM
(
    SELECT argMax(status, version) AS status, argMax(rows, version) AS rows, argMax(rejected, version) AS rejected,
           argMax(object_time, version) AS object_time, argMax(finished_at, version) AS finished_at
    FROM ingest_objects
    GROUP BY bucket, key
)
WHERE finished_at >= {since:DateTime64(3, 'UTC')} AND finished_at < {until:DateTime64(3, 'UTC')}
