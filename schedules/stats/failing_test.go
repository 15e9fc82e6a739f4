package stats_test

import (
	"context"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/infratest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/stats"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// catalogWith is the real catalog with one query replaced.
func catalogWith(t *testing.T, name, text string) *sql.Catalog {
	m := fstest.MapFS{}
	err := fs.WalkDir(sql.QueryFiles(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sql.QueryFiles(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m[name+".sql"] = &fstest.MapFile{Data: []byte(text)}
	return sql.NewCatalog(m)
}

// TestFirstWeekAndFailingSources: on the first week on record the post
// says "no history yet" and compares with nothing; a query that fails and
// a GitHub that refuses the token and an AWS that refuses to list
// instances show as error lines in their sections,
// and store nothing (never zeros), while the figures that could be read
// are shown and stored.
func TestFirstWeekAndFailingSources(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	ms := mondays()
	lines := loggen.Generate(loggen.Options{Start: ms[4], Duration: ms[5].Sub(ms[4]), Lines: 5000, Seed: 7})
	warehousetest.InsertLines(t, w, lines)
	lb := newLoopback(t)
	lb.gh.Fail(infratest.HTTPFault{Status: http.StatusUnauthorized, Message: "Bad credentials", Times: -1})
	lb.audit(t, w, ms[4].Add(24*time.Hour))

	broken := catalogWith(t, "stats_traffic_rows", "-- stats_traffic_rows: broken\n"+
		"-- Parameters:\n--   {since:DateTime64(3, 'UTC')}  s\n--   {until:DateTime64(3, 'UTC')}  u\n"+
		"SELECT count() AS clients FROM no_such_table WHERE {since:DateTime64(3, 'UTC')} < {until:DateTime64(3, 'UTC')}")
	lb.aws.Fail(infratest.Fault{Action: "DescribeInstances", Code: "UnauthorizedOperation", Message: "not allowed", Times: -1})
	s := stats.New(stats.Options{Warehouse: w, Catalog: broken, Location: paris, GitHub: true, AWS: true,
		Inventory: aws.New(awsOptions(lb.cfg.Audits))})
	notices, err := s.Job().Run(context.Background(), ms[5].Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r := notices[0].Reply
	for _, want := range []string{
		"No history yet",
		"⚠ could not read clients, cache and latency: query stats_traffic_rows",
		"⚠ could not read GitHub members without 2FA: the last infra-audit could not check github/acme",
		"⚠ could not read AWS instances and load balancers: prod: list instances in eu-west-1: UnauthorizedOperation: not allowed",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("post lacks %q:\n%s", want, r.Text)
		}
	}
	for _, not := range []string{"distinct clients", "members without 2FA    ", "last week  "} {
		if strings.Contains(r.Text, not) {
			t.Errorf("post has %q:\n%s", not, r.Text)
		}
	}
	got := stored(t, w, ms[4].UTC())
	x := expect(lines, ms[4].UTC(), ms[5].UTC(), paris)
	checkFigure(t, "requests", got, "traffic.requests", x.requests)
	checkFigure(t, "security groups", got, "infra.open_security_groups", 1)
	for _, k := range []string{"traffic.clients", "traffic.p95_seconds", "traffic.cache_hit_ratio",
		"engineering.members_without_2fa", "engineering.members_without_2fa/github/acme",
		"infra.instances_running", "infra.load_balancers", "infra.instances_running_by_region/prod/eu-west-1"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s stored as %v: a source that failed must store nothing", k, v)
		}
	}
}

// TestChatAdhocWindow: `stats last 24h` compares with the 24 hours before,
// read live, stores nothing, and a window it cannot read is answered to
// the asker alone.
func TestChatAdhocWindow(t *testing.T) {
	w := warehousetest.Embedded(t)
	reset(t, w)
	ms := mondays()
	lines := loggen.Generate(loggen.Options{Start: ms[4], Duration: 48 * time.Hour, Lines: 6000, Seed: 5})
	warehousetest.InsertLines(t, w, lines)
	k := stats.New(stats.Options{Warehouse: w, Location: paris}).Skill()
	now := ms[4].Add(48 * time.Hour)
	r, err := k.Handle(context.Background(), &opsbot.Request{Text: "stats last 24h", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	day2, day1 := expect(lines, now.Add(-24*time.Hour).UTC(), now.UTC(), paris), expect(lines, now.Add(-48*time.Hour).UTC(), now.Add(-24*time.Hour).UTC(), paris)
	u := stats.Requests.Unit
	if row := []string{"requests", u.Format(day2.requests), u.Format(day1.requests)}; !containsRow(r.Text, row) {
		t.Errorf("no row %q in\n%s", row, r.Text)
	}
	if strings.Contains(r.Text, "No history yet") || strings.Contains(r.Text, "median") {
		t.Errorf("an ad-hoc window has no stored history:\n%s", r.Text)
	}
	if n := len(stored(t, w, now.Add(-24*time.Hour).UTC())); n != 0 {
		t.Errorf("an ad-hoc window stored %d figures", n)
	}
	bad, err := k.Handle(context.Background(), &opsbot.Request{Text: "stats last fortnight please", Now: now})
	if err != nil || !bad.Ephemeral || !strings.Contains(bad.Text, "stats last 24h") {
		t.Errorf("bad window: %+v, %v", bad, err)
	}
}
