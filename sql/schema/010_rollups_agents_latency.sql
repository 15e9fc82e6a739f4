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
-- Cost at ingest, `go run ./cmd/opsbot-bench ingest -skip-clickhouse` runs
-- alternated with the schema up to 009 on a noisy 2-core machine: ~284k
-- rows/s before, ~270k with p_hour_latency alone, ~260k with both, ~238k
-- with p_hour_latency and separate referer and user-agent rollups (dropped:
-- peak RSS over 500 MB in 3 of 11 runs); with both, 461-500 MB in 7 runs
-- (up to 009: 449-499 MB).
-- `make bench-query`'s INSERT … SELECT (no parsing; 20k paths): ~20% slower.
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
