package infra

import (
	"context"
	"time"

	"github.com/opsbot/opsbot"
)

// JobName is the daily audit job's name in schedules config and in
// `opsbot schedules run infra-audit`.
const JobName = "infra-audit"

// Job is the daily audit: every check, a report of what is new and what
// got fixed since the previous run, and the findings recorded for SQL.
// It has the method set of schedules.Job.
type Job struct {
	a      *Auditor
	dryRun bool
}

// Job has schedules.Job's method set (schedules is not imported: jobs
// and the scheduler meet only in the wiring).
var _ interface {
	Name() string
	Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error)
} = (*Job)(nil)

// Job returns the daily audit job.
func (a *Auditor) Job() *Job { return &Job{a: a} }

// WithoutRecording is the job for `schedules run infra-audit --dry-run`:
// its Run is Preview, so a dry run leaves audit_findings untouched.
func (j *Job) WithoutRecording() *Job { return &Job{a: j.a, dryRun: true} }

// Name is JobName.
func (j *Job) Name() string { return JobName }

// Run audits everything as of now, compares with the previous recorded run,
// records this run (once: a retry at the same now adds nothing) and
// returns one audit-level notice. When recording fails the notice is still
// returned, saying so, together with the error.
func (j *Job) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.run(ctx, now, !j.dryRun)
}

// Preview is Run without recording: what `schedules run infra-audit
// --dry-run` shows.
func (j *Job) Preview(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.run(ctx, now, false)
}

func (j *Job) run(ctx context.Context, now time.Time, record bool) ([]opsbot.Notice, error) {
	now = now.UTC()
	if !j.a.Configured() {
		if record {
			return nil, nil // nothing to say, every day
		}
		return []opsbot.Notice{{Level: opsbot.LevelAudit, Key: JobName, Reply: unconfigured}}, nil
	}
	q := Query{Checks: AllChecks, Now: now, Since: now.Add(-j.a.opts.InstancesWindow)}
	rep := j.a.Audit(ctx, q)
	d := daily{report: rep, window: j.a.opts.InstancesWindow, history: j.a.store != nil, preview: !record}
	if j.a.store != nil {
		var prev []Finding
		d.prevAt, prev, d.havePrev, d.prevErr = j.a.store.Previous(ctx, JobName, now)
		if d.havePrev {
			d.diff = Compare(prev, rep.Findings)
		}
		if record {
			d.recordErr = j.a.store.Record(ctx, JobName, now, rep.Findings, rep.Took)
		}
	}
	n := opsbot.Notice{Level: opsbot.LevelAudit, Key: JobName, Reply: d.reply()}
	return []opsbot.Notice{n}, d.recordErr
}
