package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestVisitorsMatchRawLines: the distinct clients of each listed item and
// of each hour, counted from the raw lines; with top 40, the paths listed
// are more than one read of daily_visitors takes.
func TestVisitorsMatchRawLines(t *testing.T) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "ingest_objects")
	yesterday, _, all := traffic()
	warehousetest.InsertLines(t, w, all)
	for _, top := range []int{5, 40} {
		r, err := report.New(report.Options{Warehouse: w, Top: top}).Build(context.Background(), day)
		if err != nil {
			t.Fatal(err)
		}
		checkVisitors(t, r, yesterday)
	}
}

func checkVisitors(t *testing.T, r *report.Report, yesterday []loggen.Line) {
	t.Helper()
	for _, c := range []struct {
		what  string
		items []report.Item
		key   func(loggen.Line) string
		keep  func(loggen.Line) bool
	}{
		{"requested", r.Requested, path, nil},
		{"404", r.NotFound, path, func(l loggen.Line) bool { return l.Status == 404 }},
		{"5xx paths", r.Paths5xx, path, func(l loggen.Line) bool { return l.Status >= 500 && l.Status < 600 }},
		{"cache", r.Cache, func(l loggen.Line) string { return l.ResultType }, nil},
	} {
		want := distinct(yesterday, c.key, c.keep)
		if len(c.items) == 0 {
			t.Errorf("%s: no items", c.what)
		}
		for _, it := range c.items {
			if it.Visitors != want[it.Name] {
				t.Errorf("%s %s: %d visitors, want %d", c.what, it.Name, it.Visitors, want[it.Name])
			}
		}
	}
	hours := distinct(yesterday, func(l loggen.Line) string { return l.TS.UTC().Truncate(3600e9).Format("15") }, nil)
	for _, h := range r.Hours {
		if want := hours[h.Start.UTC().Format("15")]; h.Visitors != want {
			t.Errorf("hour %s: %d visitors, want %d", h.Start, h.Visitors, want)
		}
	}
}

func distinct(ls []loggen.Line, key func(loggen.Line) string, keep func(loggen.Line) bool) map[string]uint64 {
	sets := map[string]map[string]bool{}
	for _, l := range ls {
		if keep != nil && !keep(l) {
			continue
		}
		k := key(l)
		if sets[k] == nil {
			sets[k] = map[string]bool{}
		}
		sets[k][client(l)] = true
	}
	out := map[string]uint64{}
	for k, s := range sets {
		out[k] = uint64(len(s))
	}
	return out
}

// TestReportReadsTheRollups: over a whole day each figure's plan reads the
// rollups named (sql/schema/009, 010, 021), not the rows.
func TestReportReadsTheRollups(t *testing.T) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests")
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: day, Lines: 2_000, Seed: 1}))
	window := map[string]string{"since": warehouse.TimeParam(day), "until": warehouse.TimeParam(day.AddDate(0, 0, 1))}
	with := func(kv ...string) map[string]string {
		p := map[string]string{}
		for k, v := range window {
			p[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}
	for _, c := range []struct {
		query string
		p     map[string]string
		reads []string
	}{
		{"daily_totals", with(), []string{"p_5min", "p_hour_visitor", "p_hour_path", "p_hour_time"}},
		{"daily_status", with(), []string{"p_5min"}},
		{"daily_series", with(), []string{"p_5min"}},
		{"daily_hours", with(), []string{"p_5min"}},
		{"daily_visitor_count", with(), []string{"p_hour_visitor"}},
		{"daily_paths", with("status_min", "0", "status_max", "999", "static", "0", "limit", "5"), []string{"p_hour_path"}},
		{"daily_agents", with("what", "os", "limit", "5"), []string{"p_hour_client"}},
		{"daily_breakdown", with("by", "referrer", "limit", "5"), []string{"p_hour_client"}},
		{"daily_breakdown", with("by", "cache", "limit", "5"), []string{"p_5min"}},
		{"daily_breakdown", with("by", "edge", "limit", "5"), []string{"p_hour_edge"}},
		{"daily_new_clients", with("limit", "10", "baseline_limit", "10", "baseline_since", warehouse.TimeParam(day.AddDate(0, 0, -7))), []string{"p_hour_visitor"}},
		{"daily_slowest", with("min_requests", "20", "limit", "5"), []string{"p_hour_latency"}},
	} {
		t.Run(c.query+fmt.Sprint(c.p["by"], c.p["what"]), func(t *testing.T) {
			plan := explain(t, w, c.query, c.p)
			for _, proj := range c.reads {
				if !strings.Contains(plan, "ReadFromMergeTree ("+proj+")") {
					t.Errorf("the plan does not read %s:\n%s", proj, plan)
				}
			}
		})
	}
}

func explain(t *testing.T, w warehouse.Warehouse, name string, p map[string]string) string {
	t.Helper()
	n, err := sql.DefaultCatalog().Named(name)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := n.Bind(p, day)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := w.Query(context.Background(), "EXPLAIN projections = 1\n"+n.SQL, bound)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, row := range plan.Rows {
		fmt.Fprintln(&b, row...)
	}
	return b.String()
}
