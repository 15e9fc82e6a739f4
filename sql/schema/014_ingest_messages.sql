-- Queue messages that are no S3 event notification (another service's
-- event, malformed JSON): ingest leaves them on the queue, neither deleted
-- nor kept hidden, so that the queue's redrive policy moves them to its
-- dead-letter queue. One row per message (a worker records it once; a
-- restart may record it again: read with FINAL). reason says what the body
-- is instead. `opsbot ingest status` counts them.
CREATE TABLE IF NOT EXISTS ingest_messages
(
    queue        LowCardinality(String),
    message_id   String,
    reason       String,
    seen_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (queue, message_id);
