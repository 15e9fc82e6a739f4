package rules_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/rules"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestZeroTrafficOnDonateIsAnOutage: /donate goes silent while the rest of
// the site is fine; its traffic rule pages.
func TestZeroTrafficOnDonateIsAnOutage(t *testing.T) {
	off := ptr(true)
	wd := newWorld(t, config.Health{Service: "web", CriticalPaths: []string{"/donate"}, Rules: []config.Rule{
		{Name: "traffic-donate", For: ptr(2 * time.Minute)},
		{Name: "5xx-ratio", Disabled: off}, {Name: "error-spike", Disabled: off}, {Name: "ingest-lag", Disabled: off}, {Name: "p95-latency", Disabled: off},
	}})
	var ls []loggen.Line
	for m := at(-60); m.Before(at(30)); m = m.Add(time.Minute) {
		for i := 0; i < 20; i++ {
			ls = append(ls, loggen.Line{TS: m.Add(time.Duration(i) * 3 * time.Second), ClientIP: "11.0.0.2", Method: "GET",
				Host: "www.example.org", Path: "/", Status: 200, TimeTaken: 0.02})
			if m.Before(at(0)) && i < 5 { // /donate stops at 10:00
				ls = append(ls, loggen.Line{TS: m.Add(time.Duration(i) * 7 * time.Second), ClientIP: "11.0.0.3", Method: "POST",
					Host: "www.example.org", Path: "/donate", Status: 200, TimeTaken: 0.2})
			}
		}
	}
	warehousetest.InsertLines(t, wd.w, ls)
	var seen []event
	var posts, pages int
	for m := 1; m <= 9; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	// The hour before predicts 25 requests per 5 minutes. 10:04 sees 5
	// (20%, below the 30% warning): pending; 10:05 sees none (page level);
	// firing at 10:06 after `for` (2m), posted after the group wait at 10:07.
	want := []event{
		{"10:07", "post tech-pages: PAGE · traffic-donate: traffic on /donate against the hour before 0.0%"},
		{"10:07", "pagerduty trigger opsbot-traffic-donate"},
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("got\n%s\nwant\n%s", show(seen), show(want))
	}
}

// TestFallbackQueryWhenTableIsMissing: the ingest-lag rule reads the
// ingest manifest, and requests where there is none.
func TestFallbackQueryWhenTableIsMissing(t *testing.T) {
	wd := newWorld(t, only5xx(nil))
	q := fstest.MapFS{
		"lag.sql":      {Data: []byte("-- lag: minutes behind\nSELECT dateDiff('minute', now64(), now64()) + 90 AS value FROM no_manifest_here")},
		"lag_rows.sql": {Data: []byte("-- lag_rows: minutes behind, from the rows\nSELECT 45 AS value")},
	}
	rs := []rules.Rule{{Name: "lag", Query: "lag", Fallback: "lag_rows", Warn: ptr(30.0), Window: time.Minute, Service: "web", Summary: "lag", Unit: "min"}}
	eng := rules.New(rules.Options{Rules: rs, Warehouse: wd.w, Catalog: sql.NewCatalog(q), Store: wd.store, Sender: wd.sender})
	if _, err := eng.Run(context.Background(), at(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(context.Background(), at(1)); err != nil {
		t.Fatal(err)
	}
	if len(wd.posts.msgs) != 1 || !strings.HasPrefix(wd.posts.msgs[0].Reply.Title, "WARN · lag: lag 45 min") {
		t.Fatalf("posts %+v", wd.posts.msgs)
	}
	if st := eng.State("lag"); st.Phase != rules.Firing || st.Level != opsbot.LevelWarn {
		t.Fatalf("state %+v", st)
	}
}

func TestLoadMergesOverridesAndPaths(t *testing.T) {
	rs, err := rules.Load(config.Health{Service: "www", Dashboard: "https://d.example/x", CriticalPaths: []string{"/donate", "/"},
		Rules: []config.Rule{{Name: "5xx-ratio", Page: ptr(0.2), Repeat: ptr(time.Duration(0))}, {Name: "p95-latency", Disabled: ptr(true)},
			{Name: "shop", Query: "health_5xx_ratio", Warn: ptr(0.01), Service: "shop"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
		if r.Name == "5xx-ratio" && (*r.Page != 0.2 || *r.Warn != 0.02 || r.For != 5*time.Minute || r.Repeat != 0 || r.Service != "www" || r.Link != "https://d.example/x") {
			t.Errorf("5xx-ratio not merged: %+v", r)
		}
		if r.Name == "traffic-root" && (!r.Below || r.Params["path"] != "/") {
			t.Errorf("traffic-root %+v", r)
		}
	}
	if got := strings.Join(names, ","); got != "5xx-ratio,error-spike,ingest-lag,traffic-donate,traffic-root,shop" {
		t.Fatalf("rules %s", got)
	}
	_, err = rules.Load(config.Health{Rules: []config.Rule{{Name: "half", Query: "health_p95"}}})
	if err == nil || !strings.Contains(err.Error(), "schedules.health.rules.half: incomplete rule: set a warn or page threshold") {
		t.Fatalf("err %v", err)
	}
}

// TestIngestLagFromManifest: no object loaded for an hour warns, from the
// ingest manifest.
func TestIngestLagFromManifest(t *testing.T) {
	off := ptr(true)
	wd := newWorld(t, config.Health{Service: "web", Rules: []config.Rule{
		{Name: "5xx-ratio", Disabled: off}, {Name: "error-spike", Disabled: off}, {Name: "p95-latency", Disabled: off},
	}})
	for i, f := range []time.Duration{-2 * time.Hour, -time.Hour} {
		err := wd.w.Exec(context.Background(), `INSERT INTO ingest_objects (bucket, key, status, finished_at, version)
			SELECT 'logs', {k:String}, 'done', {f:DateTime64(3, 'UTC')}, 1`,
			opsbot.Params{"k": "E2/" + string(rune('a'+i)) + ".gz", "f": warehouse.TimeParam(at(0).Add(f))})
		if err != nil {
			t.Fatal(err)
		}
	}
	var seen []event
	var posts, pages int
	for m := 0; m <= 1; m++ {
		wd.eval(at(m))
		wd.drain(at(m), &seen, &posts, &pages)
	}
	want := []event{{"10:01", "post tech-alerts: WARN · ingest-lag: minutes since the last log object was loaded 61 min"}}
	if !slices.Equal(seen, want) {
		t.Fatalf("got\n%s\nwant\n%s", show(seen), show(want))
	}
	if !strings.Contains(wd.posts.msgs[0].Reply.Text, "last_object E2/b.gz") {
		t.Fatalf("figures: %s", wd.posts.msgs[0].Reply.Text)
	}
}
