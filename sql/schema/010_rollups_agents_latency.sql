-- More hourly rollups inside the requests table, like 009's, for the
-- queries that still read every row of a long window:
--   p_hour_client   top_by_referer and top_by_user_agent: one row per hour,
--                   status, method, referer and user agent (one rollup for
--                   both: two cost more at ingest than one, measured below);
--   p_hour_latency  slowest_paths: one row per hour and path holding the
--                   path's count, slowest time and a quantileTiming state
--                   (milliseconds) that whole hours merge into p50 and p95.
-- ClickHouse matches an aggregate projection by the aggregate function's
-- name, so p_hour_latency stores quantilesTimingState and slowest_paths.sql
-- asks for exactly that expression, merging the states of the whole hours
-- with those of the window's partial edge hours (read from the rows).
-- They follow TRUNCATE, TTL and deduplicated inserts; lightweight DELETEs
-- rebuild them (003). Parts written before this migration are read from the
-- rows; backfill with ALTER TABLE requests MATERIALIZE PROJECTION NAME.
-- Cost at ingest, and why referers and user agents share one rollup:
-- BENCHMARKS.md (`opsbot-bench ingest -skip-clickhouse`, alternated runs).
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_client
(
    SELECT toStartOfHour(ts), status, method, referer, user_agent, count(), sum(bytes_out)
    GROUP BY toStartOfHour(ts), status, method, referer, user_agent
);
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_latency
(
    SELECT toStartOfHour(ts), path, count(), max(time_taken),
           quantilesTimingState(0.5, 0.95)(toUInt32(round(time_taken * 1000)))
    GROUP BY toStartOfHour(ts), path
);
