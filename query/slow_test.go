package query_test

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestSlowTopReadsTheSlowRollup: `top slow by path|host|method|status`
// over whole hours reads p_hour_slow (sql/schema/022), with a path, host
// or status filter too; `slow` is 1 s by default, a rung of the ladder.
func TestSlowTopReadsTheSlowRollup(t *testing.T) {
	for _, p := range []string{"top slow by path last 24h", "top slow by host last 24h",
		"top slow by method for /donate last 24h", "top slow by status on www.example.org last 24h",
		"top 20 slow by path for 200 last 24h"} {
		t.Run(p, func(t *testing.T) { checkReads(t, p, "p_hour_slow") })
	}
}

// TestSlowRollupIsThe022Expression: the rung the queries compare is the
// very expression 022's projection groups by (ClickHouse matches by it).
func TestSlowRollupIsThe022Expression(t *testing.T) {
	files, err := query.TopFiles()
	if err != nil {
		t.Fatal(err)
	}
	schema := readSchema(t, "022_slow_rollup.sql")
	for _, name := range []string{"path", "host", "method", "status"} {
		q := files["top_slow_by_"+name+".sql"]
		i := strings.Index(q, "AND toUInt8(multiIf(")
		if i < 0 {
			t.Fatalf("top_slow_by_%s.sql has no rung", name)
		}
		rung := q[i+4 : i+4+strings.Index(q[i+4:], " >= {rung:UInt8}")]
		if strings.Count(schema, rung) != 2 {
			t.Fatalf("022 does not group by %s", rung)
		}
	}
}

// slowDay is a day of generated lines whose latencies include, for every
// rung of the ladder, values exactly at it, a Float32 step either side, a
// millisecond either side and a float64 just below it that rounds to it as
// a Float32 (time_taken is stored as Float32: it counts as at the rung).
func slowDay(t *testing.T, w warehouse.Warehouse, start time.Time) []loggen.Line {
	t.Helper()
	ls := loggen.Generate(loggen.Options{Start: start, Duration: 24 * time.Hour, Lines: 30_000, Seed: 11})
	var edges []float64
	for _, r := range query.SlowLadder {
		f := float32(r)
		edges = append(edges, r, float64(math.Nextafter32(f, 0)), float64(math.Nextafter32(f, 100)), r-0.001, r+0.001, r-1e-10)
	}
	for i := range ls {
		if i%3 == 0 {
			ls[i].TimeTaken = edges[(i/3)%len(edges)]
		}
	}
	warehousetest.InsertLines(t, w, ls)
	t.Cleanup(func() {
		if err := w.Exec(context.Background(), fmt.Sprintf("ALTER TABLE requests DROP PARTITION '%s'", start.Format(time.DateOnly)), nil); err != nil {
			t.Error(err)
		}
	})
	return ls
}

// TestSlowRollupMatchesScanAndLines: for every rung of the ladder as the
// configured `slow`, the rollup's answer is the scan's (top_by_NAME.sql with
// min_seconds), row for row, and the counts made from the lines; a
// threshold off the ladder is scanned.
func TestSlowRollupMatchesScanAndLines(t *testing.T) {
	w, _ := load(t)
	start := day.AddDate(0, 3, 0)
	ls := slowDay(t, w, start)
	now := start.Add(24*time.Hour - 17*time.Minute) // partial edge hours read from the rows
	for _, s := range append(append([]float64{}, query.SlowLadder...), 0.3) {
		e := query.New(w, query.Options{SlowSeconds: s})
		for _, c := range slowCases(s, now) {
			t.Run(fmt.Sprintf("%g/%s", s, c.phrase), func(t *testing.T) {
				checkSlow(t, w, e, c, s, ls)
			})
		}
	}
}

func slowCases(s float64, now time.Time) []topCase {
	slow := func(l *loggen.Line) bool { return float32(l.TimeTaken) >= float32(s) }
	c := func(phrase, dim string, limit int, m func(l *loggen.Line) bool) topCase {
		return topCase{phrase: phrase, now: now, dim: dim, limit: limit, match: m, from: 24 * time.Hour}
	}
	return []topCase{
		c("top 1000 slow by path last 24h", "path", 1000, slow),
		c("top slow by host last 24h", "host", 10, slow),
		c("top slow by method last 24h", "method", 10, slow),
		c("top slow by status last 24h", "status", 10, slow),
		c("top slow by path on www.example.org last 24h", "path", 10, func(l *loggen.Line) bool { return slow(l) && l.Host == "www.example.org" }),
		c("top slow by status for /donate last 24h", "status", 10, func(l *loggen.Line) bool { return slow(l) && l.Path == "/donate" }),
	}
}

// checkSlow: the answer matches the lines, uses the rollup exactly when s
// is a rung, and equals the scan's rows.
func checkSlow(t *testing.T, w warehouse.Warehouse, e *query.Engine, c topCase, s float64, ls []loggen.Line) {
	t.Helper()
	r, err := e.Ask(context.Background(), c.phrase, c.now)
	if err != nil {
		t.Fatal(err)
	}
	checkTop(t, c, r.Table, ls)
	pl, err := e.Plan(c.phrase, c.now)
	if err != nil {
		t.Fatal(err)
	}
	_, rung := query.SlowRung(s)
	if strings.HasPrefix(pl.Query, "top_slow_by_") != rung {
		t.Fatalf("threshold %g: plan reads %s", s, pl.Query)
	}
	scanName := strings.Replace(pl.Query, "top_slow_by_", "top_by_", 1)
	n, err := e.Named(scanName)
	if err != nil {
		t.Fatal(err)
	}
	params := opsbot.Params{}
	for k, v := range pl.Params {
		params[k] = v
	}
	delete(params, "rung")
	params["min_seconds"] = fmt.Sprint(s)
	scan, err := w.Query(context.Background(), n.SQL, params)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(scan.Rows) != fmt.Sprint(r.Table.Rows) {
		t.Fatalf("the scan gives %v\nthe answer %v", scan.Rows, r.Table.Rows)
	}
}

func readSchema(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(sql.SchemaFiles(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExplainSaysWhereSlowComesFrom: explain names the rollup and the rung,
// or why every row is read.
func TestExplainSaysWhereSlowComesFrom(t *testing.T) {
	w, _ := load(t)
	for s, want := range map[float64]string{
		1:   "query.slow_seconds (1s) is rung 4 of its ladder",
		0.3: "Every row of the window is read (time_taken): the hourly slow-request rollup p_hour_slow (sql/schema/022) cannot answer, query.slow_seconds (0.3s) is not a rung",
	} {
		r, err := query.New(w, query.Options{SlowSeconds: s}).ExplainReply("top slow by path last 24h", day.Add(24*time.Hour))
		if err != nil || !strings.Contains(r.Text, want) {
			t.Errorf("slow %g: %v\n%s", s, err, r.Text)
		}
	}
	r, err := query.New(w, query.Options{}).ExplainReply("top slow by path for 10.0.0.0/8 last 24h", day.Add(24*time.Hour))
	if err != nil || !strings.Contains(r.Text, "it lacks what this phrase filters on") || !strings.Contains(r.Title, "top_by_path.sql") {
		t.Errorf("IP range: %v\n%s", err, r.Text)
	}
}
