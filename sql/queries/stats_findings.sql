-- stats_findings: one audit check's findings over a window, from the infra-audit runs (audit_findings).
-- Answers: one row per account: account, open (findings in the last run before the window's
--   end), new (in that run and not in the last run before the window's start), fixed (in
--   that earlier run and not in the last one), errors (error findings of the check in the
--   last run: the check could not run, its figures are unknown), earlier (1 when a run before the
--   window's start exists: new and fixed compare with it; 0: they count against nothing).
--   No row for an account without findings. A last row with account '' counts the runs before
--   the window's end (runs, in its open column): 0 means no audit has run, nothing is known.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
--   {check:String}                the check, e.g. github-no-2fa, open-security-group
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_check=open-security-group --queries-file sql/queries/stats_findings.sql
WITH
    (SELECT max(run_time) FROM audit_runs WHERE job = 'infra-audit' AND run_time < {until:DateTime64(3, 'UTC')}) AS last_run,
    (SELECT max(run_time) FROM audit_runs WHERE job = 'infra-audit' AND run_time < {since:DateTime64(3, 'UTC')}) AS first_run
SELECT
    account,
    countIf(in_last) AS open,
    countIf(in_last AND NOT in_first) AS new,
    countIf(in_first AND NOT in_last) AS fixed,
    sum(errors) AS errors,
    toUInt8(any(first_run) > toDateTime64(0, 3, 'UTC')) AS earlier
FROM
(
    SELECT account, region, id,
           max(run_time = last_run AND severity != 'error') AS in_last,
           max(run_time = first_run AND severity != 'error') AS in_first,
           countIf(run_time = last_run AND severity = 'error') AS errors
    FROM audit_findings
    WHERE check = {check:String} AND (run_time = last_run OR run_time = first_run)
    GROUP BY account, region, id
)
GROUP BY account
UNION ALL
SELECT '' AS account, (SELECT count() FROM audit_runs WHERE job = 'infra-audit' AND run_time < {until:DateTime64(3, 'UTC')}) AS open,
    0 AS new, 0 AS fixed, 0 AS errors, toUInt8(0) AS earlier
ORDER BY account DESC
