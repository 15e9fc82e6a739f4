-- Infrastructure audit findings (package infra): one row per finding per
-- daily run of the infra-audit job, so trends are plain SQL, e.g.
--   SELECT run_time, check, count() FROM audit_findings
--   WHERE severity != 'error' GROUP BY run_time, check ORDER BY run_time;
-- check:    iam-no-mfa, iam-old-access-key, open-security-group,
--           public-load-balancer, listener-without-tls, new-instance,
--           github-no-2fa.
-- severity: error (the check could not run; detail says why), high,
--           medium, low, info.
-- account:  the AWS account's name from config, or github/ORG.
-- region:   '' for global services (IAM, GitHub).
-- id:       the finding's stable identity within check/account/region
--           (a user, an access key, "sg-… tcp/22", a load balancer ARN);
--           what "new" and "fixed" compare.
-- A run is complete once it is in audit_runs (written after its findings),
-- which also records runs that found nothing.
CREATE TABLE IF NOT EXISTS audit_findings
(
    run_time  DateTime64(3, 'UTC'),
    check     LowCardinality(String),
    severity  LowCardinality(String),
    account   LowCardinality(String),
    region    LowCardinality(String),
    resource  String,
    id        String,
    owner     String,
    detail    String,
    since     Nullable(DateTime64(3, 'UTC'))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(run_time)
ORDER BY (run_time, check, account, region, id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS audit_runs
(
    run_time  DateTime64(3, 'UTC'),
    job       LowCardinality(String),
    findings  UInt32,
    errors    UInt32,
    took_ms   UInt64
)
ENGINE = MergeTree
ORDER BY (job, run_time)
SETTINGS non_replicated_deduplication_window = 1000;
