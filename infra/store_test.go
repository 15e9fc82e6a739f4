package infra_test

import (
	"context"
	"testing"
	"time"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestStoreRoundTrip(t *testing.T) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "audit_findings", "audit_runs")
	s := infra.NewStore(w)
	ctx := context.Background()
	run := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	key := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	in := []infra.Finding{
		{Check: infra.CheckAccessKeys, Severity: infra.SeverityMedium, Account: "prod", Resource: "alice", ID: "AKIA1", Owner: "team-a", Detail: "old", At: key},
		{Check: infra.CheckSecurityGroups, Severity: infra.SeverityError, Account: "prod", Region: "eu-west-1", ID: "error: x", Detail: "could not list security groups in eu-west-1: AccessDenied: no"},
	}
	if err := s.Record(ctx, "infra-audit", run, in, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// the same run again (a retry) adds nothing
	if err := s.Record(ctx, "infra-audit", run, in, time.Second); err != nil {
		t.Fatal(err)
	}
	res, err := w.Query(ctx, "SELECT count() FROM audit_findings", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0].(uint64); n != 2 {
		t.Fatalf("audit_findings has %d rows after a repeated record, want 2", n)
	}
	got, fs, ok, err := s.Previous(ctx, "infra-audit", run.Add(24*time.Hour))
	if err != nil || !ok {
		t.Fatalf("previous: ok=%v err=%v", ok, err)
	}
	if !got.Equal(run) {
		t.Fatalf("previous run %v, want %v", got, run)
	}
	if len(fs) != 2 || fs[0].Severity != infra.SeverityError || fs[1] != in[0] {
		t.Fatalf("findings read back:\n%+v\nwant\n%+v", fs, in)
	}
	if _, _, ok, _ := s.Previous(ctx, "infra-audit", run); ok {
		t.Fatal("a run is its own previous run")
	}
}
