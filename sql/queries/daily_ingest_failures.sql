-- daily_ingest_failures: the ingest manifest's objects of the day that failed, with why.
-- Answers: one row per failed object: key, attempts, error, finished_at; newest first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {limit:UInt32}                rows                                    default: 5
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_limit=5 --queries-file sql/queries/daily_ingest_failures.sql
SELECT key, attempts, error, finished_at
FROM ingest_objects FINAL
WHERE object_time >= {since:DateTime64(3, 'UTC')} AND object_time < {until:DateTime64(3, 'UTC')}
  AND status = 'failed'
ORDER BY finished_at DESC, key
LIMIT {limit:UInt32}
