-- stats_alerts: health alerts and scheduled jobs in a window.
-- Answers: one row: fired (health rules that started firing: distinct rule and firing time
--   among the rows of alert_state; rows a merge replaced are gone, so it is at least this),
--   alert_posts (notices the health job posted: firings, repeats, resolutions, problems),
--   job_runs (scheduled runs recorded), job_failures (runs that failed).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/stats_alerts.sql
SELECT
    (SELECT uniqExact(rule, fired)
     FROM (SELECT rule, parseDateTime64BestEffortOrNull(JSONExtractString(data, 'fired_at'), 3, 'UTC') AS fired FROM alert_state)
     WHERE fired >= {since:DateTime64(3, 'UTC')} AND fired < {until:DateTime64(3, 'UTC')}) AS fired,
    sumIf(notices, job = 'health') AS alert_posts,
    count() AS job_runs,
    countIf(status = 'failed') AS job_failures
FROM schedule_runs
WHERE tick >= {since:DateTime64(3, 'UTC')} AND tick < {until:DateTime64(3, 'UTC')}
