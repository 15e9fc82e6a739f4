-- health_path_rate: traffic on one critical path in a window, as a share of what the
-- baseline before it predicts. Zero traffic gives 0 (an outage) even when the baseline
-- was empty too.
-- Answers: one row: value (requests / max(expected, 1)), requests, expected.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
--   {path:String}                 the path, e.g. /donate
--   {baseline_seconds:UInt32}     baseline length before the window       default: 3600
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 10:05:00' \
--   --param_path=/donate --param_baseline_seconds=3600 --queries-file sql/queries/health_path_rate.sql
SELECT
    countIf(ts >= {since:DateTime64(3, 'UTC')}) AS requests,
    countIf(ts < {since:DateTime64(3, 'UTC')})
        * dateDiff('millisecond', {since:DateTime64(3, 'UTC')}, {until:DateTime64(3, 'UTC')})
        / ({baseline_seconds:UInt32} * 1000) AS expected,
    requests / greatest(expected, 1) AS value
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} - toIntervalSecond({baseline_seconds:UInt32})
  AND ts < {until:DateTime64(3, 'UTC')}
  AND path = {path:String}
