package rules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/pager"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/schedules/rules"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var rooms = config.Rooms{Audit: "tech-audits", Warn: "tech-alerts", Page: "tech-pages"}

// poster records posts, as Slack would take them, with increasing ts.
type poster struct {
	mu   sync.Mutex
	msgs []opsbot.Message
}

func (p *poster) Post(ctx context.Context, m opsbot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return fmt.Sprintf("1764000000.%06d", len(p.msgs)), nil
}

// pagerDuty is a loopback Events API v2 that records each event.
type pagerDuty struct {
	mu     sync.Mutex
	events []map[string]any
	status int
}

func (pd *pagerDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev map[string]any
	if r.URL.Path != "/v2/enqueue" || r.Method != "POST" || json.Unmarshal(b, &ev) != nil {
		http.Error(w, "bad request "+r.URL.Path, 400)
		return
	}
	pd.mu.Lock()
	pd.events = append(pd.events, ev)
	st := pd.status
	pd.mu.Unlock()
	w.WriteHeader(st)
}

// world is one test's engine, warehouse, Slack side and pager.
type world struct {
	t      *testing.T
	w      warehouse.Warehouse
	rules  []rules.Rule
	store  *rules.CHStore
	posts  *poster
	pd     *pagerDuty
	sender *schedules.Dispatcher
	eng    *rules.Engine
}

func newWorld(t *testing.T, h config.Health) *world {
	t.Helper()
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "alert_state", "silences", "ingest_objects")
	rs, err := rules.Load(h)
	if err != nil {
		t.Fatal(err)
	}
	pd := &pagerDuty{status: 202}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close)
	router := pager.New(map[string]pager.Service{"web": {Provider: "pagerduty", Key: "routing-key", URL: srv.URL}},
		pager.Options{Backoff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 2) }})
	wd := &world{t: t, w: w, rules: rs, store: rules.NewStore(w), posts: &poster{}, pd: pd}
	wd.sender = &schedules.Dispatcher{Poster: wd.posts, Pager: router, Rooms: rooms}
	wd.restart()
	return wd
}

// restart throws the engine away and builds a new one on the same store,
// as a process restart would.
func (wd *world) restart() {
	wd.eng = rules.New(rules.Options{Rules: wd.rules, Warehouse: wd.w,
		Store: wd.store, Sender: wd.sender,
		GroupWait: 30 * time.Second})
}

func (wd *world) eval(now time.Time) {
	wd.t.Helper()
	if _, err := wd.eng.Run(context.Background(), now); err != nil {
		wd.t.Fatalf("evaluate at %s: %v", now.Format("15:04"), err)
	}
}

// traffic inserts, for each minute in [from, to), n requests to / of
// which errs(minute) answered 500, the rest 200, each taking 50 ms.
func (wd *world) traffic(from, to time.Time, n int, errs func(time.Time) int) {
	var ls []loggen.Line
	for m := from; m.Before(to); m = m.Add(time.Minute) {
		e := errs(m)
		for i := 0; i < n; i++ {
			st := 200
			if i < e {
				st = 500
			}
			ls = append(ls, loggen.Line{TS: m.Add(time.Duration(i) * time.Minute / time.Duration(n)), ClientIP: "11.0.0.1",
				Method: "GET", Host: "www.example.org", Path: "/", Status: st, TimeTaken: 0.05, ResultType: "Miss"})
		}
	}
	warehousetest.InsertLines(wd.t, wd.w, ls)
}

// event is what the test sees: a post or a page, at a minute.
type event struct {
	At   string // 15:04
	What string
}

func (wd *world) drain(at time.Time, seen *[]event, posts, pages *int) {
	wd.posts.mu.Lock()
	for _, m := range wd.posts.msgs[*posts:] {
		s := "post " + m.Channel
		if m.Thread != "" {
			s += " thread " + m.Thread
		}
		if m.Reply.Here {
			s += " @here"
		}
		*seen = append(*seen, event{at.Format("15:04"), s + ": " + m.Reply.Title})
	}
	*posts = len(wd.posts.msgs)
	wd.posts.mu.Unlock()
	wd.pd.mu.Lock()
	for _, e := range wd.pd.events[*pages:] {
		*seen = append(*seen, event{at.Format("15:04"), fmt.Sprintf("pagerduty %s %s", e["event_action"], e["dedup_key"])})
	}
	*pages = len(wd.pd.events)
	wd.pd.mu.Unlock()
}

func ptr[T any](v T) *T { return &v }

// only5xx keeps the 5xx-ratio rule alone, with short timings.
func only5xx(page *float64) config.Health {
	off := ptr(true)
	return config.Health{Service: "web", Rules: []config.Rule{
		{Name: "5xx-ratio", For: ptr(2 * time.Minute), KeepFiringFor: ptr(3 * time.Minute), Repeat: ptr(10 * time.Minute), Page: page},
		{Name: "error-spike", Disabled: off}, {Name: "ingest-lag", Disabled: off}, {Name: "p95-latency", Disabled: off},
	}}
}

// discard is a Sender for benchmarks.
type discard struct{}

func (*discard) Post(context.Context, opsbot.Level, string, opsbot.Reply) (string, error) {
	return "1.0", nil
}
func (*discard) Page(context.Context, opsbot.Page, string) error { return nil }
