package report_test

import (
	"context"
	"testing"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// With the query engine's hourly top-client summaries answering the top
// clients, the lists are still the raw lines' own (ties by address, as
// the engine orders them), and so are their top paths' counts.
func TestTopClientsFromTheSummariesMatchRawLines(t *testing.T) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "requests_top_clients", "ingest_objects")
	yesterday, _, all := traffic()
	warehousetest.InsertLines(t, w, all)
	manifest(t, w)
	j := report.New(report.Options{Warehouse: w, Top: 5, TopClients: query.New(w, query.Options{})})
	r, err := j.Build(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		got    []report.Item
		lo, hi int
	}{{"4xx clients", r.Clients4xx, 400, 499}, {"5xx clients", r.Clients5xx, 500, 599}, {"clients", r.Visitors, 0, 999}} {
		want := top(yesterday, 1<<30, client, func(l loggen.Line) bool { return l.Status >= c.lo && l.Status <= c.hi })
		byAddress(want)
		checkTop(t, c.what, c.got, want[:min(5, len(want))])
		if len(c.got) == 0 || c.got[0].Extra == "" {
			t.Errorf("%s: no top path in %+v", c.what, c.got)
		}
	}
}
