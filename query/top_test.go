package query_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/query"
)

// dimValue is each dimension's value for one line, as answers show it.
var dimValue = map[string]func(l *loggen.Line) any{
	"ip":            func(l *loggen.Line) any { return displayIP(l.ClientIP) },
	"path":          func(l *loggen.Line) any { return l.Path },
	"host":          func(l *loggen.Line) any { return l.Host },
	"method":        func(l *loggen.Line) any { return l.Method },
	"status":        func(l *loggen.Line) any { return uint64(l.Status) },
	"user_agent":    func(l *loggen.Line) any { return l.UserAgent },
	"referer":       func(l *loggen.Line) any { return l.Referer },
	"edge_location": func(l *loggen.Line) any { return l.EdgeLocation },
	"country":       func(l *loggen.Line) any { return "" }, // CloudFront's standard log has none
	"asn":           func(l *loggen.Line) any { return uint64(0) },
}

// extraValue is what the top_* columns name.
var extraValue = map[string]func(l *loggen.Line) any{
	"top_status": dimValue["status"], "top_method": dimValue["method"],
	"top_path": dimValue["path"], "top_ip": dimValue["ip"],
}

// topCase is one phrase and the independent definition of what it counts.
type topCase struct {
	phrase string
	now    time.Time
	dim    string
	limit  int
	bytes  bool
	match  func(l *loggen.Line) bool // WHAT and FILTER, window aside
	from   time.Duration             // window start as an offset before now
}

func status(lo, hi int) func(l *loggen.Line) bool {
	return func(l *loggen.Line) bool { return l.Status >= lo && l.Status <= hi }
}

func topCases() []topCase {
	at := day.Add(10*time.Hour + 20*time.Minute) // the 502 burst (10:05-10:17) is in the last hour
	whats := map[string]func(l *loggen.Line) bool{
		"requests": status(0, 999), "4xx": status(400, 499), "5xx": status(500, 599), "errors": status(400, 599),
		"502": status(502, 502), "404": status(404, 404), "bytes": status(0, 999),
		"slow": func(l *loggen.Line) bool { return float32(l.TimeTaken) >= 1 },
	}
	var cs []topCase
	for _, d := range query.Dimensions {
		word := d.Words[0]
		if len(d.Words) > 1 && strings.Contains(d.Words[1], " ") {
			word = d.Words[1]
		}
		for what, m := range whats {
			cs = append(cs, topCase{phrase: fmt.Sprintf("top %s by %s", what, word), now: at, dim: d.Name,
				limit: 10, bytes: what == "bytes", match: m, from: time.Hour})
		}
	}
	end := day.Add(24 * time.Hour)
	in := func(cidr string) func(l *loggen.Line) bool {
		p := netip.MustParsePrefix(cidr)
		return func(l *loggen.Line) bool { return p.Contains(netip.MustParseAddr(l.ClientIP).Unmap()) }
	}
	and := func(fs ...func(l *loggen.Line) bool) func(l *loggen.Line) bool {
		return func(l *loggen.Line) bool {
			for _, f := range fs {
				if !f(l) {
					return false
				}
			}
			return true
		}
	}
	return append(cs,
		topCase{"opsbot  TOP 4XX BY IP last 24h", end, "ip", 10, false, status(400, 499), 24 * time.Hour},
		topCase{"top 25 4xx by ip last 24h", end, "ip", 25, false, status(400, 499), 24 * time.Hour},
		topCase{"top 4xx by ip for /blargh last 24h", end, "ip", 10, false, and(status(400, 499), func(l *loggen.Line) bool { return l.Path == "/blargh" }), 24 * time.Hour},
		topCase{"top requests by path on api.example.org last 24h", end, "path", 10, false, func(l *loggen.Line) bool { return l.Host == "api.example.org" }, 24 * time.Hour},
		topCase{"top requests by path for 104.2.1.1 last 24h", end, "path", 10, false, in("104.2.1.1/32"), 24 * time.Hour},
		topCase{"top requests by path for 2001:db8:bad::/48 last 24h", end, "path", 10, false, in("2001:db8:bad::/48"), 24 * time.Hour},
		topCase{"top 5 requests by ip for 100.0.0.0/6 last 24h", end, "ip", 5, false, in("100.0.0.0/6"), 24 * time.Hour},
		topCase{"top requests by ip for 404 last 24h", end, "ip", 10, false, status(404, 404), 24 * time.Hour},
		topCase{"top requests by ip for /donate on www.example.org last 24h", end, "ip", 10, false,
			func(l *loggen.Line) bool { return l.Path == "/donate" && l.Host == "www.example.org" }, 24 * time.Hour},
		topCase{"top 4xx by ip for 503 last 24h", end, "ip", 10, false, status(1, 0), 24 * time.Hour},
		topCase{"top 5xx by host last 15m", at, "host", 10, false, status(500, 599), 15 * time.Minute},
		topCase{"top 5xx by host for 20m", at, "host", 10, false, status(500, 599), 20 * time.Minute},
		topCase{"top 4xx ips 2h", at, "ip", 10, false, status(400, 499), 2 * time.Hour},
		topCase{"top 3 404 by ip for the last 24h", end, "ip", 3, false, status(404, 404), 24 * time.Hour},
		topCase{"top 50 requests by path", at, "path", 50, false, status(0, 999), time.Hour},
		topCase{"top requests by referer last 24h", end, "referer", 10, false, status(0, 999), 24 * time.Hour},
		topCase{"top errors by user agent last 24h", end, "user_agent", 10, false, status(400, 599), 24 * time.Hour},
		topCase{"top bytes by user agent last 24h", at, "user_agent", 10, true, status(0, 999), 24 * time.Hour},
		topCase{"top 4xx by referer for /blargh last 24h", end, "referer", 10, false,
			and(status(400, 499), func(l *loggen.Line) bool { return l.Path == "/blargh" }), 24 * time.Hour},
	)
}

// TestTopMatchesLines checks every top phrase against counts made from
// the generated lines.
func TestTopMatchesLines(t *testing.T) {
	w, ls := load(t)
	e := query.New(w, query.Options{})
	for _, c := range topCases() {
		t.Run(c.phrase, func(t *testing.T) {
			r, err := e.Ask(context.Background(), c.phrase, c.now)
			if err != nil {
				t.Fatal(err)
			}
			checkTop(t, c, r.Table, ls)
		})
	}
}

type group struct {
	requests, bytes uint64
	lines           []*loggen.Line
}

func expectTop(c topCase, ls []loggen.Line) map[any]*group {
	since := c.now.Add(-c.from)
	groups := map[any]*group{}
	for i := range ls {
		l := &ls[i]
		if l.TS.Before(since) || !l.TS.Before(c.now) || !c.match(l) {
			continue
		}
		k := dimValue[c.dim](l)
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		g.requests++
		g.bytes += uint64(l.BytesOut)
		g.lines = append(g.lines, l)
	}
	return groups
}

func checkTop(t *testing.T, c topCase, res *opsbot.Result, ls []loggen.Line) {
	t.Helper()
	if res.Columns[0].Name != c.dim || res.Columns[1].Name != "requests" {
		t.Fatalf("columns %v: want %s, requests first", res.Columns, c.dim)
	}
	groups := expectTop(c, ls)
	metric := func(g *group) uint64 {
		if c.bytes {
			return g.bytes
		}
		return g.requests
	}
	if want := min(c.limit, len(groups)); len(res.Rows) != want {
		t.Fatalf("%d rows, want %d", len(res.Rows), want)
	}
	seen := map[any]bool{}
	var last uint64
	for i, row := range res.Rows {
		k := row[0]
		g := groups[k]
		if g == nil || seen[k] {
			t.Fatalf("row %d: key %v unexpected or repeated", i, k)
		}
		seen[k] = true
		if row[1] != g.requests || row[2] != g.bytes {
			t.Fatalf("%v: requests %v bytes %v, want %d %d", k, row[1], row[2], g.requests, g.bytes)
		}
		if i > 0 && metric(g) > last {
			t.Fatalf("row %d out of order", i)
		}
		last = metric(g)
		checkModes(t, res, row, g)
	}
	for k, g := range groups { // nothing bigger than the last row was left out
		if len(res.Rows) > 0 && metric(g) > last && !seen[k] {
			t.Fatalf("%v (%d) missing", k, metric(g))
		}
	}
}

// checkModes: each top_* value is one of the group's most frequent.
func checkModes(t *testing.T, res *opsbot.Result, row []any, g *group) {
	t.Helper()
	for j, col := range res.Columns {
		f := extraValue[col.Name]
		if f == nil {
			continue
		}
		counts := map[any]int{}
		for _, l := range g.lines {
			counts[f(l)]++
		}
		best := slices.Max(mapValues(counts))
		if counts[row[j]] != best {
			t.Fatalf("%v: %s = %v (%d), but the most frequent has %d", row[0], col.Name, row[j], counts[row[j]], best)
		}
	}
}

func mapValues(m map[any]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestTopFindsNoisyClients: the generator's noisy clients are the top 4xx
// IPs of the day, one row each, with their path and method.
func TestTopFindsNoisyClients(t *testing.T) {
	w, _ := load(t)
	r, err := query.New(w, query.Options{}).Ask(context.Background(), "top 4xx by ip last 24h", day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []struct{ ip, method, path string }{ // loggen.NoisyClients, heaviest first
		{"104.2.1.1", "GET", "/blargh"}, {"207.1.2.3", "POST", "/foo"}, {"2001:db8:bad::17", "GET", "/wp-login.php"},
	} {
		row := r.Table.Rows[i]
		if row[0] != n.ip || row[r.Table.Col("top_path")] != n.path || row[r.Table.Col("top_method")] != n.method {
			t.Errorf("row %d = %v, want %s %s %s", i, row, n.ip, n.method, n.path)
		}
	}
	if want := "Top 10 4XX by ip, last 24h (Nov 22 00:00 – Nov 23 00:00 UTC)"; r.Title != want {
		t.Errorf("title %q, want %q", r.Title, want)
	}
}
