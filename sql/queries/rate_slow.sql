-- rate_slow: the share of requests at least min_seconds slow (and in a status range) over time, in buckets.
-- Phrases: rate slow [WINDOW], graph slow [WINDOW]   e.g. "rate slow last 24h"
-- Answers: one row per bucket that saw requests: time (bucket start, UTC), requests,
--   matched (requests in the status range and at least min_seconds slow),
--   percent (100 × matched / requests, 2 decimals); oldest first.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {step:UInt32}                 bucket width in seconds                 default: 300
--   {status_min:UInt16}           lowest status matched                   default: 0
--   {status_max:UInt16}           highest status matched                  default: 999
--   {min_seconds:Float32}         only requests at least this slow (s)    default: 1
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_step=3600 --param_status_min=0 --param_status_max=999 --param_min_seconds=1 \
--   --queries-file sql/queries/rate_slow.sql
SELECT
    toStartOfInterval(ts, toIntervalSecond({step:UInt32})) AS time,
    count() AS requests,
    countIf(status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
            AND time_taken >= {min_seconds:Float32}) AS matched,
    round(100 * matched / requests, 2) AS percent
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY time
ORDER BY time
