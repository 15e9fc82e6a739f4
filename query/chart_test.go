package query_test

import (
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
)

// TestGraphChartIsForPeople: a graph's y axis says what is counted per
// bucket (not the column's name), its file is named for the phrase, and
// the bucket the window's end cuts is marked partial.
func TestGraphChartIsForPeople(t *testing.T) {
	now := time.Date(2026, 11, 22, 11, 7, 13, 0, time.UTC)
	e := query.New(nil, query.Options{})
	for _, c := range []struct{ phrase, ylabel, file string }{
		{"graph requests", "requests per 5 minutes", "requests.png"},
		{"graph 5xx last 24h", "5xx responses per hour", "5xx.png"},
		{"graph bytes today", "bytes per hour", "bytes.png"},
	} {
		pl, err := e.Plan(c.phrase, now)
		if err != nil {
			t.Fatal(err)
		}
		col := "matched"
		if pl.What.Bytes {
			col = "bytes"
		}
		r := &opsbot.Result{Columns: []opsbot.Column{{Name: "time"}, {Name: col}}}
		for b := pl.Window.Since.Truncate(pl.Step); b.Before(pl.Window.Until); b = b.Add(pl.Step) {
			r.Rows = append(r.Rows, []any{b, uint64(7)})
		}
		m, err := query.ChartModel(pl, r, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		l := m.Panels[0].Lines[0]
		last := l.Partial[len(l.Partial)-1]
		if m.Panels[0].YLabel != c.ylabel || query.ChartFile(pl.What) != c.file || m.XLabel != "time (UTC)" ||
			last.X != float64(r.Rows[len(r.Rows)-1][0].(time.Time).Unix()) {
			t.Errorf("%s: y %q, file %q, x %q, last partial at %v", c.phrase, m.Panels[0].YLabel, query.ChartFile(pl.What), m.XLabel, last.X)
		}
	}
}
