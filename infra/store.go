package infra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Store keeps audit runs in the audit_findings and audit_runs tables
// (sql/schema/006_audit_findings.sql).
type Store struct {
	w warehouse.Warehouse
}

// NewStore returns the store in w.
func NewStore(w warehouse.Warehouse) *Store { return &Store{w: w} }

var findingSchema = arrow.NewSchema([]arrow.Field{
	{Name: "run_time", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "check", Type: arrow.BinaryTypes.String},
	{Name: "severity", Type: arrow.BinaryTypes.String},
	{Name: "account", Type: arrow.BinaryTypes.String},
	{Name: "region", Type: arrow.BinaryTypes.String},
	{Name: "resource", Type: arrow.BinaryTypes.String},
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "owner", Type: arrow.BinaryTypes.String},
	{Name: "detail", Type: arrow.BinaryTypes.String},
	{Name: "since", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

// Record writes one run's findings, then the run itself. Recording the
// same job and run time again adds nothing (insert deduplication tokens),
// so a retried run is safe.
func (s *Store) Record(ctx context.Context, job string, run time.Time, fs []Finding, took time.Duration) error {
	token := job + "@" + run.UTC().Format(time.RFC3339Nano)
	rec := findingRecord(run, fs)
	defer rec.Release()
	if err := s.w.Insert(ctx, "audit_findings", rec, warehouse.InsertOptions{DedupToken: token}); err != nil {
		return fmt.Errorf("record findings: %w", err)
	}
	errs := len(filter(fs, Finding.IsError))
	// SETTINGS take no parameters: the token is quoted here (it is made
	// of the job's name and a timestamp, never of chat input).
	q := `INSERT INTO audit_runs (run_time, job, findings, errors, took_ms)
SETTINGS insert_deduplication_token = ` + quote(token) + `
VALUES ({run:DateTime64(3, 'UTC')}, {job:String}, {n:UInt32}, {e:UInt32}, {took:UInt64})`
	err := s.w.Exec(ctx, q, opsbot.Params{"run": warehouse.TimeParam(run), "job": job,
		"n": fmt.Sprint(len(fs) - errs), "e": fmt.Sprint(errs), "took": fmt.Sprint(took.Milliseconds())})
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	return nil
}

func findingRecord(run time.Time, fs []Finding) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, findingSchema)
	defer b.Release()
	ts := arrow.Timestamp(run.UTC().UnixMilli())
	for _, f := range fs {
		b.Field(0).(*array.TimestampBuilder).Append(ts)
		for i, v := range []string{string(f.Check), string(f.Severity), f.Account, f.Region, f.Resource, f.ID, f.Owner, f.Detail} {
			b.Field(i + 1).(*array.StringBuilder).Append(v)
		}
		since := b.Field(9).(*array.TimestampBuilder)
		if f.At.IsZero() {
			since.AppendNull()
		} else {
			since.Append(arrow.Timestamp(f.At.UTC().UnixMilli()))
		}
	}
	return b.NewRecord()
}

// Previous is the last complete run of job before t, with its findings;
// ok is false when there is none.
func (s *Store) Previous(ctx context.Context, job string, t time.Time) (run time.Time, fs []Finding, ok bool, err error) {
	res, err := s.w.Query(ctx, `SELECT max(run_time) AS run, count() AS n FROM audit_runs
WHERE job = {job:String} AND run_time < {t:DateTime64(3, 'UTC')}`,
		opsbot.Params{"job": job, "t": warehouse.TimeParam(t)})
	if err != nil {
		return run, nil, false, fmt.Errorf("read previous audit run: %w", err)
	}
	if len(res.Rows) == 0 || res.Rows[0][1].(uint64) == 0 {
		return run, nil, false, nil
	}
	run = res.Rows[0][0].(time.Time)
	fs, err = s.Findings(ctx, run)
	return run, fs, err == nil, err
}

// Findings are the findings recorded at run.
func (s *Store) Findings(ctx context.Context, run time.Time) ([]Finding, error) {
	res, err := s.w.Query(ctx, `SELECT check, severity, account, region, resource, id, owner, detail, since
FROM audit_findings WHERE run_time = {run:DateTime64(3, 'UTC')}`, opsbot.Params{"run": warehouse.TimeParam(run)})
	if err != nil {
		return nil, fmt.Errorf("read findings of %s: %w", run.Format(time.RFC3339), err)
	}
	fs := make([]Finding, 0, len(res.Rows))
	for _, r := range res.Rows {
		str := func(i int) string { return warehouse.String(r[i]) }
		fs = append(fs, Finding{Check: Check(str(0)), Severity: Severity(str(1)), Account: str(2), Region: str(3),
			Resource: str(4), ID: str(5), Owner: str(6), Detail: str(7), At: warehouse.Time(r[8])})
	}
	Sort(fs)
	return fs, nil
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
