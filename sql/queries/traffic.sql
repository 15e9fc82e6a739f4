-- traffic: requests over time for one path or one host (or everything), in buckets.
-- Phrases: traffic PATH|HOST [WINDOW]   e.g. "traffic /donate last 24h", "traffic api.example.org"
-- Answers: one row per bucket that saw requests: time (bucket start, UTC), requests,
--   ok (status < 400), 4xx, 5xx, bytes (sent); oldest first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {step:UInt32}                 bucket width in seconds                 default: 300
--   {path:String}                 only this path; '' for any              default: ''
--   {host:String}                 only this Host; '' for any              default: ''
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_step=3600 --param_path=/donate --param_host= --queries-file sql/queries/traffic.sql
SELECT
    toStartOfInterval(ts, toIntervalSecond({step:UInt32})) AS time,
    count() AS requests,
    countIf(status < 400) AS ok,
    countIf(status BETWEEN 400 AND 499) AS `4xx`,
    countIf(status BETWEEN 500 AND 599) AS `5xx`,
    sum(bytes_out) AS bytes
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND ({path:String} = '' OR path = {path:String})
  AND ({host:String} = '' OR host = {host:String})
GROUP BY time
ORDER BY time
