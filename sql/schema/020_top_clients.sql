-- Per hour and status class (intDiv(status, 100): 0 for CloudFront's 000,
-- 2 for 2xx …), the heaviest clients of each insert block, filled at insert
-- by a materialized view, so that `top … by ip` over a long window need not
-- count every client of every row (package query, topclients.go):
--   clients, counts  the block's 256 heaviest clients of that hour
--                    and class and their counts, heaviest first;
--   cutoff           the count of the next one: no client left out of the
--                    list sent more than cutoff requests of that hour and
--                    class in that block;
--   rows             the block's rows of that hour and class.
-- A client in no list of a window sent at most the sum of the cutoffs of
-- its hours: that bound certifies an answer counted for the listed clients
-- alone (exact counts from the rows, through p_ip). The table only grows:
-- lightweight DELETEs and TRUNCATE of requests leave it, which keeps every
-- bound an upper bound (rows only go); an hour whose summed rows fall short
-- of the table's (rows inserted before this migration, with the view
-- missing, or past the 400-day TTL) is not trusted: its hourly row count
-- bounds it, or the answer comes from the scan.
-- A sorted top-M list with its cut-off, not a topK (Space-Saving) state:
-- ClickHouse's topK state neither exposes its error bounds nor merges with
-- them, and the certificate needs a proven ceiling.
-- Cost at ingest: BENCHMARKS.md (`make bench-ingest`, `opsbot-bench query`).
CREATE TABLE IF NOT EXISTS requests_top_clients
(
    hour     DateTime('UTC'),
    class    UInt8,
    clients  Array(IPv6)   CODEC(ZSTD(1)),
    counts   Array(UInt64) CODEC(ZSTD(1)),
    cutoff   UInt64,
    rows     UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, class)
TTL hour + INTERVAL 400 DAY;
CREATE MATERIALIZED VIEW IF NOT EXISTS requests_top_clients_mv TO requests_top_clients AS
SELECT hour, class, top.2 AS clients, top.1 AS counts, if(length(all) > 256, all[257].1, 0) AS cutoff, rows
FROM
(
    SELECT hour, class, sum(n) AS rows, groupArray((n, client_ip)) AS all_unsorted,
           arrayPartialReverseSort(257, all_unsorted) AS all, arraySlice(all, 1, 256) AS top
    FROM
    (
        SELECT toStartOfHour(ts) AS hour, toUInt8(intDiv(status, 100)) AS class, client_ip, count() AS n
        FROM requests
        GROUP BY hour, class, client_ip
    )
    GROUP BY hour, class
);
