-- A hash chain over audit_log (package auditlog), so that deleting,
-- altering or forging an entry is detected by `audit verify` and the daily
-- audit-chain job. Each entry gets the next seq (1, 2, … with no gaps),
-- prev_hash (the hash of seq-1; '' for seq 1) and hash: SHA-256, or
-- HMAC-SHA256 when keyed (a key derived from access.secret_key_env), over a
-- length-prefixed encoding of every column of the entry, seq and prev_hash
-- included (auditlog/chain.go). Hashes are lowercase hex.
-- Rows written before this migration keep seq 0 and empty hashes: verify
-- counts them as "before the chain" and does not vouch for them.
-- One opsbot process appends (it holds the chain's head in memory).
ALTER TABLE audit_log
    ADD COLUMN IF NOT EXISTS seq UInt64,
    ADD COLUMN IF NOT EXISTS prev_hash String,
    ADD COLUMN IF NOT EXISTS hash String,
    ADD COLUMN IF NOT EXISTS keyed Bool;
