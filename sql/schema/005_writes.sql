-- Write commands: the audit log, bans and TOTP secrets.

-- audit_log: every command, allowed or refused, appended and never updated.
-- approval says how a write was confirmed ("totp", "button by U1",
-- "approved by U2"); took_ms is the time the command took.
CREATE TABLE IF NOT EXISTS audit_log
(
    ts         DateTime64(3, 'UTC'),
    user_id    LowCardinality(String),
    user_name  String,
    channel    LowCardinality(String),
    transport  LowCardinality(String),
    text       String,
    action     String,
    allowed    Bool,
    result     String,
    took_ms    UInt32,
    approval   String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, user_id);

-- bans: opsbot's record of each ban per edge. A change writes a new row
-- with a higher version; read with FINAL. state is active, unbanned,
-- expired or gone (removed at the edge by hand). The edge's own set is the
-- source of truth: `bans` reconciles the two.
CREATE TABLE IF NOT EXISTS bans
(
    edge        LowCardinality(String),
    prefix      String,
    by_id       String,
    by_name     String,
    reason      String,
    approval    String,
    created_at  DateTime64(3, 'UTC'),
    expires_at  DateTime64(3, 'UTC'),
    state       LowCardinality(String),
    ended_at    Nullable(DateTime64(3, 'UTC')),
    ended_by    String,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (edge, prefix);

-- totp_secrets: one authenticator secret per user, AES-GCM encrypted with
-- the key from OPSBOT_SECRET_KEY (base64 nonce||ciphertext). last_step is
-- the last 30-second step whose code was used: codes are single-use.
CREATE TABLE IF NOT EXISTS totp_secrets
(
    user_id     String,
    secret_enc  String,
    last_step   UInt64,
    enrolled_at DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY user_id;
