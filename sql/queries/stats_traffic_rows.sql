-- stats_traffic_rows: the weekly figures that no hourly rollup holds: distinct clients, cache hits and p95.
-- Answers: one row: clients (distinct client IPs), cache_hits (Hit, RefreshHit), cache_misses
--   (Miss), p95_seconds (exact 95th percentile of time-taken; 0 without requests).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/stats_traffic_rows.sql
-- Reads three columns of every row of the window: distinct clients and an exact
-- quantile cannot be merged from the hourly counts.
SELECT
    uniqExact(client_ip) AS clients,
    countIf(cache_result IN ('Hit', 'RefreshHit')) AS cache_hits,
    countIf(cache_result = 'Miss') AS cache_misses,
    if(count() = 0, 0, round(quantileExact(0.95)(time_taken), 3)) AS p95_seconds
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
