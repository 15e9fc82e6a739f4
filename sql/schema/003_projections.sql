-- Hourly status counts kept inside the requests table as an aggregate
-- projection: sql/queries/status.sql and rate.sql read the whole hours of a
-- long window from it (a few rows per hour) and only the window's partial
-- edge hours from the rows themselves. Being part of the table, it follows
-- TRUNCATE, TTL and deduplicated inserts; lightweight DELETEs (ingest's
-- replace) rebuild it for the parts they touch.
-- Cost at ingest: measured by `make bench-query` (insert rate with and without).
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_status
(
    SELECT toStartOfHour(ts), status, count(), sum(bytes_out)
    GROUP BY toStartOfHour(ts), status
);
ALTER TABLE requests MODIFY SETTING lightweight_mutation_projection_mode = 'rebuild';
ALTER TABLE requests MATERIALIZE PROJECTION p_hour_status SETTINGS mutations_sync = 1;
