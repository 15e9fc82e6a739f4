-- A rollup for `top slow by path|host|method|status` (sql/queries/
-- top_slow_by_*.sql), inside the requests table like 009's p_hour_path:
--   p_hour_slow  requests and bytes out per hour, latency rung, status,
--                method, host and path: the rung is the highest of a ladder
--                of time-taken thresholds (0.1, 0.25, 0.5, 1, 2, 5, 10 s)
--                that the request reaches, 0 below 0.1 s. Requests at least
--                as slow as rung r are the rows of rungs >= r. The rung
--                comes second in the rollup's order, so that a question
--                skips the granules of the faster rungs.
-- The thresholds are Float32, like time_taken, so `time_taken >= rung` is
-- the scan's `time_taken >= {min_seconds:Float32}` (top_by_*.sql) for the
-- same threshold: a request exactly at a threshold counts. The query
-- engine reads it when query.slow_seconds is a rung (as a Float32), the
-- rows otherwise; the expression below is repeated verbatim in the queries
-- (query/topsql.go), which is how ClickHouse matches the projection.
-- It follows TRUNCATE, TTL and deduplicated inserts; lightweight DELETEs
-- rebuild it (003). The rung is cast to UInt8: with the bare multiIf the
-- engine failed to rebuild it for a DELETE on a merged part ("Bad cast"). Parts written before this migration are read from the
-- rows; backfill with ALTER TABLE requests MATERIALIZE PROJECTION
-- p_hour_slow. Cost at ingest: BENCHMARKS.md (`opsbot-bench query`).
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_slow
(
    SELECT toStartOfHour(ts),
           toUInt8(multiIf(time_taken >= toFloat32(10), 7, time_taken >= toFloat32(5), 6, time_taken >= toFloat32(2), 5, time_taken >= toFloat32(1), 4, time_taken >= toFloat32(0.5), 3, time_taken >= toFloat32(0.25), 2, time_taken >= toFloat32(0.1), 1, 0)),
           status, method, host, path, count(), sum(bytes_out)
    GROUP BY toStartOfHour(ts),
           toUInt8(multiIf(time_taken >= toFloat32(10), 7, time_taken >= toFloat32(5), 6, time_taken >= toFloat32(2), 5, time_taken >= toFloat32(1), 4, time_taken >= toFloat32(0.5), 3, time_taken >= toFloat32(0.25), 2, time_taken >= toFloat32(0.1), 1, 0)),
           status, method, host, path
);
