-- TOTP secrets move out of opsbot's database into one of their own. The
-- analysts' `sql` reads only tables of the current database (and of those
-- only the allowed ones), and on a server, grants on opsbot.* never reach
-- opsbot_secrets.*: nothing `sql` can name holds a key.
CREATE DATABASE IF NOT EXISTS opsbot_secrets;

CREATE TABLE IF NOT EXISTS opsbot_secrets.totp_secrets
(
    user_id     String,
    secret_enc  String,
    last_step   UInt64,
    enrolled_at DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY user_id;

INSERT INTO opsbot_secrets.totp_secrets (user_id, secret_enc, last_step, enrolled_at, version)
SELECT user_id, secret_enc, last_step, enrolled_at, version FROM totp_secrets;

DROP TABLE IF EXISTS totp_secrets;
