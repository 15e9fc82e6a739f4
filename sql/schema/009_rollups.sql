-- Hourly rollups for the top_by_* and traffic queries (sql/queries), kept
-- inside the requests table as aggregate projections: the whole hours of a
-- window are read as one row per hour and combination of values instead of
-- one row per request, and the exact modes of the top_* columns come from
-- the same counts. Being part of the table, they follow TRUNCATE, TTL and
-- deduplicated inserts; lightweight DELETEs rebuild them (003).
-- ClickHouse uses one only where it holds every column a query reads: a
-- filter on an IP range or on slow requests reads the rows, as does a part
-- written before this migration (backfill: ALTER TABLE requests
-- MATERIALIZE PROJECTION p_hour_path, then p_hour_edge).
-- Cost at ingest: BENCHMARKS.md (`make bench-ingest`, `make bench-query`).
-- Referers, user agents and per-path latency have their own rollups in 010.
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_path
(
    SELECT toStartOfHour(ts), status, method, host, path, count(), sum(bytes_out)
    GROUP BY toStartOfHour(ts), status, method, host, path
);
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_edge
(
    SELECT toStartOfHour(ts), status, method, edge_location, country, asn, count(), sum(bytes_out)
    GROUP BY toStartOfHour(ts), status, method, edge_location, country, asn
);
