package auditlog

import (
	"context"
	"time"

	"github.com/opsbot/opsbot"
)

// JobName is the daily chain check's name in schedules config and in
// `opsbot schedules run audit-chain`.
const JobName = "audit-chain"

// Job verifies the chain every day: a broken chain (or one it cannot
// verify) is a warning; an intact one is an audit-room line with the head
// (last seq and hash), the digest that makes a later truncation visible
// against the room's history. It has schedules.Job's and Previewer's
// method sets; it only reads, so a dry run is a real run.
type Job struct{ l *Log }

// Job returns the daily chain check over l.
func (l *Log) Job() *Job { return &Job{l: l} }

// Name is JobName.
func (j *Job) Name() string { return JobName }

// Preview is Run: the check writes nothing.
func (j *Job) Preview(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.Run(ctx, now)
}

// Run verifies the chain. A failed read is a warning too, returned with
// its error: a check that silently stops running protects nothing.
func (j *Job) Run(ctx context.Context, _ time.Time) ([]opsbot.Notice, error) {
	rep, err := j.l.Verify(ctx)
	if err != nil {
		return []opsbot.Notice{{Level: opsbot.LevelWarn, Key: JobName, Reply: opsbot.Reply{
			Title: "Audit log chain: could not verify", Text: err.Error() + "\nRun `audit verify` once the warehouse answers."}}}, err
	}
	if rep.Break != nil {
		return []opsbot.Notice{{Level: opsbot.LevelWarn, Key: JobName, Reply: opsbot.Reply{
			Title: rep.Title(), Text: rep.String(),
			Context: "someone with SQL access may have deleted, altered or forged audit entries; compare with the head posted in the audit room"}}}, nil
	}
	return []opsbot.Notice{{Level: opsbot.LevelAudit, Key: JobName, Reply: opsbot.Reply{
		Title: rep.Title(), Text: rep.String(), Context: rep.mode()}}}, nil
}
