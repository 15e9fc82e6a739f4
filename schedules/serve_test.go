package schedules

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestServeRunsRulesAndReportOnce runs the scheduler as serve does, with
// the built-in jobs, over a generated day whose API burst (10:05–10:17,
// 70% 502s) is a customer-affecting outage: the team gets one page (post +
// PagerDuty), its resolution in the thread, and the next morning one daily
// analysis in the audit room.
func TestServeRunsRulesAndReportOnce(t *testing.T) {
	w := fresh(t)
	warehousetest.Truncate(t, w, "requests", "ingest_objects")
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: day, Lines: 100_000}))
	rec := newRecorder()
	pg, pages := pdRouter(t, 202)
	cfg := testConfig(map[string]config.JobSchedule{
		"daily-analysis": {Cron: "0 7 * * *"}, "health": {Cron: "@every 1m"},
	})
	cfg.Schedules.Health.Rules = []config.Rule{{Name: "ingest-lag", Disabled: ptr(true)}} // no manifest here
	o := Options{Config: cfg, Warehouse: w, Poster: rec, Pager: pg, Clock: clocktest.New(day.Add(9*time.Hour + 50*time.Minute)), Holder: "serve"}
	r := start(t, o)
	for m := day.Add(9*time.Hour + 51*time.Minute); !m.After(day.Add(10*time.Hour + 45*time.Minute)); m = m.Add(time.Minute) {
		r.clock.BlockUntil(1)
		r.clock.Set(m)
		r.waitRun(t, "health", m) // each evaluation done before the next minute
	}
	r.stop()
	var said []string
	for _, m := range rec.msgs {
		said = append(said, m.Channel+" "+m.Thread+" "+strings.SplitN(m.Reply.Title, ":", 2)[0])
	}
	ev := pages()
	if len(ev) != 2 || ev[0]["event_action"] != "trigger" || ev[1]["event_action"] != "resolve" || ev[0]["dedup_key"] != "opsbot-5xx-ratio" {
		t.Fatalf("pager events %v; posts %q", ev, said)
	}
	want := []string{"tech-pages  PAGE · 5xx-ratio", "tech-pages 1764000000.000001 RESOLVED · 5xx-ratio"}
	if strings.Join(said, "|") != strings.Join(want, "|") {
		t.Fatalf("posts\n got %q\nwant %q", said, want)
	}

	// Next morning, after a night down: one daily analysis at 07:00.
	o.Clock = clocktest.New(day.Add(30*time.Hour + 58*time.Minute))
	cfg.Schedules.Jobs["health"] = config.JobSchedule{Cron: "@every 1m", Disabled: true}
	n := len(rec.msgs)
	r = start(t, o)
	r.advance(day.Add(31*time.Hour + 5*time.Minute))
	if x := r.waitRun(t, "daily-analysis", day.Add(31*time.Hour)); x.Status != "ok" || x.Notices != 1 {
		t.Fatalf("daily analysis run %+v", x)
	}
	r.stop()
	if got := rec.msgs[n:]; len(got) != 1 || got[0].Channel != "tech-audits" || !strings.HasPrefix(got[0].Reply.Title, "Daily log analysis: Sun 22 Nov 2026") ||
		len(got[0].Reply.Files) != 1 {
		t.Fatalf("morning posts %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }
