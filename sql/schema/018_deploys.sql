-- deploys: one row per deploy from chat (package actions, `deploy`,
-- `rollback`), rewritten at each change of state with a higher version;
-- read with FINAL. state is dispatching, queued, in_progress (not final),
-- or success, failure, cancelled, timed_out, not_found (dispatched, but
-- no run appeared), error (final). run is the target's handle of it (a
-- GitHub run ID, a webhook's id) so that a deploy started before a
-- restart is followed to its end after it; channel, thread and message
-- are where its progress message lives. Never readable through `sql`
-- (config.StateTables).
CREATE TABLE IF NOT EXISTS deploys
(
    id          String,
    service     LowCardinality(String),
    env         LowCardinality(String),
    ref         String,
    sha         String,
    prev_sha    String,
    target      LowCardinality(String),
    run         String,
    url         String,
    by_id       String,
    by_name     String,
    approval    String,
    channel     String,
    thread      String,
    message     String,
    state       LowCardinality(String),
    detail      String,
    log_url     String,
    started_at  DateTime64(3, 'UTC'),
    updated_at  DateTime64(3, 'UTC'),
    ended_at    Nullable(DateTime64(3, 'UTC')),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (service, env, id);

-- deploy_locks: `deploy lock SERVICE [ENV] REASON` freezes a service (env
-- '' = every environment) until `deploy unlock`; the newest row of a
-- service and env wins (FINAL), locked false once unlocked.
CREATE TABLE IF NOT EXISTS deploy_locks
(
    service     LowCardinality(String),
    env         LowCardinality(String),
    locked      Bool,
    by_id       String,
    by_name     String,
    reason      String,
    at          DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (service, env);
