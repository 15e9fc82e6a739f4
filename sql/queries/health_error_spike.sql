-- health_error_spike: how many times more 5xx and 000 errors the window saw than the same
-- length of time usually sees (the average over the baseline before the window).
-- origin_errors are 500/502/503/504 (the origin failed), edge_errors the rest (000: the
-- viewer gave up; other 5xx raised at the edge).
-- Answers: one row: value (errors / expected, 0 below min_errors), errors, expected,
--   origin_errors, edge_errors.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
--   {baseline_seconds:UInt32}     baseline length before the window       default: 3600
--   {min_errors:UInt32}           fewer errors than this is no spike      default: 50
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 10:05:00' \
--   --param_baseline_seconds=3600 --param_min_errors=50 --queries-file sql/queries/health_error_spike.sql
SELECT
    countIf(ts >= {since:DateTime64(3, 'UTC')} AND (status >= 500 OR status = 0)) AS errors,
    countIf(ts < {since:DateTime64(3, 'UTC')} AND (status >= 500 OR status = 0))
        * dateDiff('millisecond', {since:DateTime64(3, 'UTC')}, {until:DateTime64(3, 'UTC')})
        / ({baseline_seconds:UInt32} * 1000) AS expected,
    if(errors < {min_errors:UInt32}, 0, errors / greatest(expected, 1)) AS value,
    countIf(ts >= {since:DateTime64(3, 'UTC')} AND status IN (500, 502, 503, 504)) AS origin_errors,
    errors - origin_errors AS edge_errors
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} - toIntervalSecond({baseline_seconds:UInt32})
  AND ts < {until:DateTime64(3, 'UTC')}
