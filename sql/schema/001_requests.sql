-- The edge requests table: one row per request the CDN (or origin) logged.
-- Times are UTC with milliseconds. client_ip holds IPv4 (as ::ffff:a.b.c.d)
-- and IPv6; display it with replaceOne(toString(client_ip), '::ffff:', '').
-- status 0 is CloudFront's 000 (the viewer closed the connection).
-- Provenance (source_object, source_line) ties every row to its log line.
-- Retention (TTL) is applied from config after migrations.
CREATE TABLE IF NOT EXISTS requests
(
    ts             DateTime64(3, 'UTC')      CODEC(DoubleDelta, ZSTD(1)),
    client_ip      IPv6                      CODEC(ZSTD(1)),
    status         UInt16                    CODEC(T64, ZSTD(1)),
    method         LowCardinality(String),
    host           LowCardinality(String),
    path           String                    CODEC(ZSTD(3)),
    query          String                    CODEC(ZSTD(3)),
    user_agent     LowCardinality(String)    CODEC(ZSTD(1)),
    referer        String                    CODEC(ZSTD(3)),
    bytes_in       UInt64                    CODEC(T64, ZSTD(1)),
    bytes_out      UInt64                    CODEC(T64, ZSTD(1)),
    time_taken     Float32                   CODEC(Gorilla, ZSTD(1)),
    edge_location  LowCardinality(String),
    cache_result   LowCardinality(String),
    protocol       LowCardinality(String),
    http_version   LowCardinality(String),
    country        LowCardinality(String),
    asn            UInt32                    CODEC(T64, ZSTD(1)),
    forwarded_for  String                    CODEC(ZSTD(3)),
    forwarded_ip   Nullable(IPv6)            CODEC(ZSTD(1)),
    request_id     String                    CODEC(ZSTD(3)),
    source         LowCardinality(String),
    source_object  LowCardinality(String),
    source_line    UInt32                    CODEC(Delta, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (toStartOfHour(ts), status, ts)
SETTINGS non_replicated_deduplication_window = 100000, index_granularity = 8192;
