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
SELECT * FROM
(
    SELECT
        account,
        countIf(in_last) AS open,
        countIf(in_last AND NOT in_first) AS new,
        countIf(in_first AND NOT in_last) AS fixed,
        sum(errors) AS errors,
        toUInt8(any(has_first)) AS earlier
    FROM
    (
        SELECT f.account AS account, f.region, f.id,
               max(f.run_time = r.last_run AND f.severity != 'error') AS in_last,
               max(f.run_time = r.first_run AND f.severity != 'error') AS in_first,
               countIf(f.run_time = r.last_run AND f.severity = 'error') AS errors,
               any(r.first_runs > 0) AS has_first
        FROM audit_findings AS f
        CROSS JOIN
        (
            SELECT maxIf(run_time, run_time < {until:DateTime64(3, 'UTC')}) AS last_run,
                   maxIf(run_time, run_time < {since:DateTime64(3, 'UTC')}) AS first_run,
                   countIf(run_time < {since:DateTime64(3, 'UTC')}) AS first_runs
            FROM audit_runs
            WHERE job = 'infra-audit'
        ) AS r
        WHERE f.check = {check:String} AND (f.run_time = r.last_run OR f.run_time = r.first_run)
        GROUP BY f.account, f.region, f.id
    )
    GROUP BY account
    UNION ALL
    SELECT '' AS account, count() AS open, 0 AS new, 0 AS fixed, 0 AS errors, toUInt8(0) AS earlier
    FROM audit_runs
    WHERE job = 'infra-audit' AND run_time < {until:DateTime64(3, 'UTC')}
)
ORDER BY account DESC
