-- Feeds (package feeds): what each source reported, so that every item is
-- posted once across restarts and redeliveries, whichever engine.
--
-- feed_items: one row per item and room it was routed to (room '' for an
-- item no route took, or one seen at a source's first poll, which only sets
-- the baseline). state: pending (recorded, not yet posted: posted after a
-- restart), posted, unrouted, baseline. item is the normalized item as JSON
-- (bounded sizes; untrusted text). A change writes a new row with a higher
-- version: read with FINAL.
CREATE TABLE IF NOT EXISTS feed_items
(
    source       LowCardinality(String),
    item_id      String,
    room         String,
    state        LowCardinality(String),
    item         String,
    received_at  DateTime64(3, 'UTC'),
    posted_at    Nullable(DateTime64(3, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (source, item_id, room);

-- feed_deliveries: webhook delivery ids (GitHub's X-GitHub-Delivery, Jira's
-- X-Atlassian-Webhook-Identifier …) already taken: a redelivery is answered
-- 200 and ignored. Kept 30 days (GitHub redelivers for 3).
CREATE TABLE IF NOT EXISTS feed_deliveries
(
    source       LowCardinality(String),
    delivery_id  String,
    received_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (source, delivery_id)
TTL toDateTime(received_at) + INTERVAL 30 DAY;

-- feed_cursors: where each polled source stopped: cursor is the source's
-- own (a PR number, a status id, a post time), etag its last ETag for a
-- conditional request. One row per source: read with FINAL.
CREATE TABLE IF NOT EXISTS feed_cursors
(
    source      LowCardinality(String),
    cursor      String,
    etag        String,
    updated_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY source;
