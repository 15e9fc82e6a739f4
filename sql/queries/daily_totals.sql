-- daily_totals: the day's headline figures for the daily log analysis.
-- Answers: one row: requests, visitors (distinct client IPs), bytes_out, bytes_in,
--   s2xx, s3xx, s4xx, s5xx, s000 (viewer went away), cache_hits (Hit, RefreshHit),
--   cache_misses (Miss), static (requests for static files), p50_seconds, p95_seconds
--   (exact quantiles of time-taken).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_totals.sql
SELECT
    count() AS requests,
    uniqExact(client_ip) AS visitors,
    sum(bytes_out) AS bytes_out,
    sum(bytes_in) AS bytes_in,
    countIf(status BETWEEN 200 AND 299) AS s2xx,
    countIf(status BETWEEN 300 AND 399) AS s3xx,
    countIf(status BETWEEN 400 AND 499) AS s4xx,
    countIf(status BETWEEN 500 AND 599) AS s5xx,
    countIf(status = 0) AS s000,
    countIf(cache_result IN ('Hit', 'RefreshHit')) AS cache_hits,
    countIf(cache_result = 'Miss') AS cache_misses,
    countIf(match(path, '\\.(js|css|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|map|txt)$')) AS static,
    round(quantileExact(0.5)(time_taken), 3) AS p50_seconds,
    round(quantileExact(0.95)(time_taken), 3) AS p95_seconds
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
