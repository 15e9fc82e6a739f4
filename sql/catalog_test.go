package sql_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// TestEveryScheduleQueryRuns runs each health_ and daily_ query with every
// parameter it declares bound, on the migrated embedded engine.
func TestEveryScheduleQueryRuns(t *testing.T) {
	w := warehousetest.Embedded(t)
	c := sql.DefaultCatalog()
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	all := opsbot.Params{
		"since": warehouse.TimeParam(day), "until": warehouse.TimeParam(day.Add(24 * time.Hour)),
		"baseline_since": warehouse.TimeParam(day.Add(-7 * 24 * time.Hour)),
		"host":           "", "path": "/donate", "baseline_seconds": "3600", "min_errors": "50", "min_requests": "20",
		"status_min": "0", "status_max": "999", "static": "0", "limit": "5", "baseline_limit": "50",
		"what": "os", "by": "referrer",
		"paths": "['/donate']", "oses": "['iOS']", "browsers": "[]", "hosts": "[]", "referrers": "[]",
		"countries": "[]", "caches": "['Hit']", "edges": "[]",
	}
	n := 0
	for _, q := range c.List() {
		if !strings.HasPrefix(q.Name, "health_") && !strings.HasPrefix(q.Name, "daily_") {
			continue
		}
		n++
		p := opsbot.Params{}
		for _, par := range q.Params {
			p[par.Name] = all[par.Name]
		}
		if _, _, err := c.Run(context.Background(), w, q.Name, p, day); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
	if n < 15 {
		t.Fatalf("only %d schedule queries found", n)
	}
}

// A missing table is known by the engine's error code, not its text.
func TestMissingTableIsErrNoTable(t *testing.T) {
	w := warehousetest.Embedded(t)
	c := sql.NewCatalog(fstest.MapFS{"q.sql": {Data: []byte("-- q: counts nothing\nSELECT count() FROM no_such_table")}})
	_, _, err := c.Run(context.Background(), w, "q", nil, time.Now())
	if !errors.Is(err, sql.ErrNoTable) || warehouse.CodeOf(err) != 60 {
		t.Fatalf("err %v (code %d), want ErrNoTable with code 60", err, warehouse.CodeOf(err))
	}
}

// Headers are read strictly: a file that breaks the rules is reported by
// name when used, and does not hide the others.
func TestBadFilesAreReportedNotFatal(t *testing.T) {
	c := sql.NewCatalog(fstest.MapFS{
		"good.sql":    {Data: []byte("-- good: one\n--   {limit:UInt32}   how many   default: 10\nSELECT {limit:UInt32}")},
		"nohead.sql":  {Data: []byte("SELECT 1")},
		"undoc.sql":   {Data: []byte("-- undoc: x\nSELECT {p:String}")},
		"wrongty.sql": {Data: []byte("-- wrongty: x\n--   {p:String}   a p\nSELECT {p:UInt8}")},
	})
	if _, err := c.Named("good"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"nohead": "first line must be", "undoc": "not documented", "wrongty": "documented as String"} {
		if _, err := c.Named(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	if len(c.Problems()) != 3 {
		t.Errorf("problems: %v", c.Problems())
	}
}

// Defaults relative to now need a time; a missing one is an error, never
// the zero time.
func TestRelativeDefaultsNeedNow(t *testing.T) {
	c := sql.DefaultCatalog()
	n, err := c.Named("top_by_ip")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Bind(nil, time.Time{}); err == nil || !strings.Contains(err.Error(), "relative to now") {
		t.Fatalf("zero now: %v", err)
	}
	p, err := n.Bind(nil, time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC))
	if err != nil || p["since"] != "2026-11-22 04:00:00.000" || p["until"] != "2026-11-22 05:00:00.000" {
		t.Fatalf("bind: %v %v", p, err)
	}
}

// TestSummariesAreWholeSentences: `sql list` shows each named query's first
// sentence whole, also where the header wraps it over several lines, and
// never the next section (Answers:, Parameters:).
func TestSummariesAreWholeSentences(t *testing.T) {
	c := sql.NewCatalog(sql.QueryFiles())
	want := map[string]string{
		"daily_breakdown":  "the day's traffic by one dimension: host (GoAccess: virtual hosts), referrer (referring sites, excluding the site's own hosts), country (geo location; empty when the logs carry none), cache (cache status) or edge (edge location).",
		"daily_ingest":     "the ingest manifest's day: objects loaded and failed, rows, rejected lines, and the worst delay between an object's time and its load.",
		"health_path_rate": "traffic on one critical path in a window, as a share of what the baseline before it predicts.",
	}
	for _, n := range c.List() {
		if w, ok := want[n.Name]; ok && n.Summary != w {
			t.Errorf("%s: summary %q, want %q", n.Name, n.Summary, w)
		}
		if strings.Contains(n.Summary, "Answers:") || strings.Count(n.Summary, "(") != strings.Count(n.Summary, ")") {
			t.Errorf("%s: summary cut or run on: %q", n.Name, n.Summary)
		}
	}
}
