-- The ingest manifest: one row per state change of one log object. The
-- newest row (highest version) of (bucket, key) is the object's state; read
-- it with FINAL or argMax. bucket is '' for objects read from a local folder
-- (key is then the path relative to the folder).
-- status: queued (listed for loading) and loading (being read): a restart
-- resumes both; replacing (its old rows are being deleted before a
-- re-ingest), done, failed (error says why; attempts counts tries), expired
-- (older than retention_days: not loaded).
-- generation and batch_rows make the insert deduplication tokens of a load
-- (key|etag|generation|chunk) reproducible after a crash.
CREATE TABLE IF NOT EXISTS ingest_objects
(
    bucket       LowCardinality(String),
    key          String,
    etag         String,
    size         UInt64,
    modified     DateTime64(3, 'UTC'),
    object_time  DateTime64(3, 'UTC'),
    format       LowCardinality(String),
    status       LowCardinality(String),
    rows         UInt64,
    rejected     UInt64,
    error        String,
    attempts     UInt32,
    generation   UInt32,
    batch_rows   UInt32,
    started_at   DateTime64(3, 'UTC'),
    finished_at  DateTime64(3, 'UTC'),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (bucket, key);

-- Lines that could not be read: kept with their object, line number, the
-- reason and the first kilobyte of the line. Inserted with the same
-- deduplication tokens as the rows, so a restart never doubles them.
CREATE TABLE IF NOT EXISTS ingest_rejects
(
    time         DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    bucket       LowCardinality(String),
    object       LowCardinality(String),
    line         UInt32                 CODEC(Delta, ZSTD(1)),
    reason       String                 CODEC(ZSTD(3)),
    raw          String                 CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (object, line)
SETTINGS non_replicated_deduplication_window = 100000;
