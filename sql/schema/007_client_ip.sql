-- A copy of the columns a per-client question reads, sorted by client_ip:
-- `hits IP|CIDR` and the second pass of `top … by ip` (that client's
-- top status, method and path) read only that client's granules instead of
-- every row of the window (client_ip is not in the table's sort key, and a
-- bloom filter skip index cannot skip a heavy client present in every
-- granule). A `top … for IP|CIDR` filter on path, host, status, method or
-- user agent uses it too. ClickHouse picks it by itself when it reads fewer
-- granules; parts written before this migration are read from the rows
-- (run `ALTER TABLE requests MATERIALIZE PROJECTION p_ip` to backfill).
-- Lightweight DELETEs rebuild it (lightweight_mutation_projection_mode, 003).
-- Its cost, and why an hourly (hour, status, client_ip) aggregate
-- projection was dropped instead: BENCHMARKS.md (`make bench-query`).
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_ip
(
    SELECT client_ip, ts, status, method, host, path, user_agent, bytes_out, time_taken
    ORDER BY client_ip, ts
);
