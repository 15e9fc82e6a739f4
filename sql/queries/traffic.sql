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
-- With hour-sized buckets, the window's whole hours come from the hourly
-- rollup p_hour_path (sql/schema/009) and only its partial edge hours from
-- the rows.
SELECT
    time,
    sum(n) AS requests,
    sumIf(n, status < 400) AS ok,
    sumIf(n, status BETWEEN 400 AND 499) AS `4xx`,
    sumIf(n, status BETWEEN 500 AND 599) AS `5xx`,
    sum(b) AS bytes
FROM
(
    SELECT toStartOfInterval(ts, toIntervalSecond({step:UInt32})) AS time, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT ({step:UInt32} % 3600 = 0
               AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
      AND ({path:String} = '' OR path = {path:String})
      AND ({host:String} = '' OR host = {host:String})
    GROUP BY time, status
    UNION ALL
    SELECT toStartOfInterval(toStartOfHour(ts), toIntervalSecond({step:UInt32})) AS time, status, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {step:UInt32} % 3600 = 0
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
      AND ({path:String} = '' OR path = {path:String})
      AND ({host:String} = '' OR host = {host:String})
    GROUP BY time, status
)
GROUP BY time
ORDER BY time
