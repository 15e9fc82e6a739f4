-- Schedules and health rules: what ran when, who may act, alert state and
-- silences. All of it survives restarts; read the Replacing tables with
-- FINAL (or argMax by version).

-- schedule_runs: one row per run of a scheduled job. tick is the scheduled
-- time the run stands for (a catch-up run after downtime records the last
-- missed tick), status is ok, failed or skipped.
CREATE TABLE IF NOT EXISTS schedule_runs
(
    job         LowCardinality(String),
    tick        DateTime64(3, 'UTC'),
    started_at  DateTime64(3, 'UTC'),
    finished_at DateTime64(3, 'UTC'),
    status      LowCardinality(String),
    error       String,
    notices     UInt32,
    holder      String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(tick)
ORDER BY (job, tick);

-- scheduler_lease: every scheduler instance renews its own row; the leader
-- is the live holder (renewed within the lease TTL) that acquired first,
-- by the server's clock. Others stand by until it lapses.
CREATE TABLE IF NOT EXISTS scheduler_lease
(
    name        LowCardinality(String),
    holder      String,
    acquired_at DateTime64(6, 'UTC'),
    renewed_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (name, holder);

-- alert_state: each health rule's state machine (inactive, pending,
-- firing), as JSON in data, with the posted message's thread.
CREATE TABLE IF NOT EXISTS alert_state
(
    rule        String,
    state       LowCardinality(String),
    level       LowCardinality(String),
    data        String,
    updated_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY rule;

-- silences: who muted which rule until when, and why. unsilence sets
-- ended_at/ended_by on the same row (a higher version).
CREATE TABLE IF NOT EXISTS silences
(
    rule        String,
    created_at  DateTime64(3, 'UTC'),
    until       DateTime64(3, 'UTC'),
    by_id       String,
    by_name     String,
    reason      String,
    ended_at    Nullable(DateTime64(3, 'UTC')),
    ended_by    String,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (rule, created_at);
