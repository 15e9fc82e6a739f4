-- rate: the share of requests in a status range over time, in buckets.
-- Phrases: rate 5xx [WINDOW], rate 4xx|errors|404 [WINDOW], graph WHAT [WINDOW]
--   e.g. "rate 5xx last 24h", "graph 4xx today"
-- Answers: one row per bucket that saw requests: time (bucket start, UTC), requests,
--   matched (requests in the status range), percent (100 × matched / requests,
--   2 decimals); oldest first.
-- With hour-sized buckets, the window's whole hours come from the p_hour_status
-- projection (sql/schema/003) and only its partial edge hours from the rows.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {step:UInt32}                 bucket width in seconds                 default: 300
--   {status_min:UInt16}           lowest status matched                   default: 500
--   {status_max:UInt16}           highest status matched                  default: 599
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_step=3600 --param_status_min=500 --param_status_max=599 --queries-file sql/queries/rate.sql
SELECT
    time,
    sum(n) AS requests,
    sumIf(n, status BETWEEN {status_min:UInt16} AND {status_max:UInt16}) AS matched,
    round(100 * matched / requests, 2) AS percent
FROM
(
    SELECT toStartOfInterval(ts, toIntervalSecond({step:UInt32})) AS time, status, count() AS n
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT ({step:UInt32} % 3600 = 0
               AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY time, status
    UNION ALL
    SELECT toStartOfInterval(toStartOfHour(ts), toIntervalSecond({step:UInt32})) AS time, status, count() AS n
    FROM requests
    WHERE {step:UInt32} % 3600 = 0
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY time, status
)
GROUP BY time
ORDER BY time
