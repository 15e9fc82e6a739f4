-- stats_history: the organization statistics stored for earlier windows (org_stats), for trends.
-- Answers: one row per metric, dimension and window start: metric, dimension, window_start (UTC),
--   value (the newest collection of that window); oldest first.
-- Parameters:
--   {window:String}               the window kind: week, or an ad-hoc length  default: week
--   {since:DateTime64(3, 'UTC')}  earliest window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  latest window start, exclusive, UTC
-- Run: clickhouse-client --param_window=week --param_since='2026-09-28 00:00:00' \
--   --param_until='2026-11-23 00:00:00' --queries-file sql/queries/stats_history.sql
SELECT metric, dimension, window_start, argMax(value, collected_at) AS value
FROM org_stats
WHERE window = {window:String}
  AND window_start >= {since:DateTime64(3, 'UTC')} AND window_start < {until:DateTime64(3, 'UTC')}
GROUP BY metric, dimension, window_start
ORDER BY window_start, metric, dimension
