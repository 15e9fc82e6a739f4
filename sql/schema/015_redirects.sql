-- redirects: opsbot's record of each redirect rule per edge: who added it,
-- why, how it was confirmed. A change writes a new row with a higher
-- version; read with FINAL (one row per edge and source: what a later
-- `redirect --replace` replaced stays in the audit log). state is active,
-- removed (`unredirect`) or gone (removed at the edge by hand). The edge's own map is the source of truth: `redirects` reconciles
-- the two. Never readable through analysts' `sql` (config.StateTables).
CREATE TABLE IF NOT EXISTS redirects
(
    edge        LowCardinality(String),
    source      String,
    target      String,
    status      UInt16,
    by_id       String,
    by_name     String,
    reason      String,
    approval    String,
    created_at  DateTime64(3, 'UTC'),
    state       LowCardinality(String),
    ended_at    Nullable(DateTime64(3, 'UTC')),
    ended_by    String,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (edge, source);
