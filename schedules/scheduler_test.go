package schedules

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/pager"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// recorder is the Slack side: it keeps every post.
type recorder struct {
	mu    sync.Mutex
	msgs  []opsbot.Message
	added chan opsbot.Message
}

func newRecorder() *recorder { return &recorder{added: make(chan opsbot.Message, 100)} }

func (r *recorder) Post(ctx context.Context, m opsbot.Message) (string, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	n := len(r.msgs)
	r.mu.Unlock()
	r.added <- m
	return "1764000000.00000" + string(rune('0'+n%10)), nil
}

func (r *recorder) wait(t *testing.T) opsbot.Message {
	t.Helper()
	select {
	case m := <-r.added:
		return m
	case <-time.After(30 * time.Second): // a guard against a hang, not synchronisation
		t.Fatal("no post came")
	}
	return opsbot.Message{}
}

// tickJob records the ticks it ran for and says one audit notice.
type tickJob struct {
	name  string
	mu    sync.Mutex
	ticks []time.Time
	gate  chan struct{} // when set, Run waits for it
}

func (j *tickJob) Name() string { return j.name }

func (j *tickJob) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	j.mu.Lock()
	j.ticks = append(j.ticks, now)
	j.mu.Unlock()
	if j.gate != nil {
		<-j.gate
	}
	return []opsbot.Notice{{Level: opsbot.LevelAudit, Key: j.name, Reply: opsbot.Reply{Title: "tick " + now.Format("15:04")}}}, nil
}

func (j *tickJob) got() []time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]time.Time(nil), j.ticks...)
}

func testConfig(jobs map[string]config.JobSchedule) *config.Config {
	c := config.Default()
	c.Slack.Rooms = config.Rooms{Audit: "tech-audits", Warn: "tech-alerts", Page: "tech-pages"}
	c.Schedules.Jobs = map[string]config.JobSchedule{
		"daily-analysis": {Cron: "0 7 * * *", Disabled: true},
		"health":         {Cron: "@every 1m", Disabled: true},
		"stats":          {Cron: "0 8 * * 1", Disabled: true},
	}
	for k, v := range jobs {
		c.Schedules.Jobs[k] = v
	}
	return c
}

func fresh(t *testing.T) warehouse.Warehouse {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "schedule_runs", "scheduler_lease", "alert_state", "silences")
	return w
}

// running is a scheduler running in the background on a test clock.
type running struct {
	s      *Scheduler
	clock  *clocktest.Clock
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	ran    chan RunRecord
}

func start(t *testing.T, o Options) *running {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, clock: o.Clock.(*clocktest.Clock), cancel: cancel, done: make(chan error, 1), ran: make(chan RunRecord, 100_000)}
	s.ran = func(x RunRecord) { r.ran <- x }
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

// advance lets the scheduler reach its wait, then moves the clock to its
// next timer, until the clock reaches t.
func (r *running) advance(t time.Time) {
	for r.clock.Now().Before(t) {
		r.clock.BlockUntil(1)
		next := r.clock.Next()
		if next.After(t) {
			next = t
		}
		r.clock.Set(next)
	}
	r.clock.BlockUntil(1) // the scheduler has acted on t and waits again
}

// waitRun returns once job has finished its run for tick.
func (r *running) waitRun(t *testing.T, job string, tick time.Time) RunRecord {
	t.Helper()
	for {
		select {
		case x := <-r.ran:
			if x.Job == job && x.Tick.Equal(tick) {
				return x
			}
		case <-time.After(60 * time.Second): // a guard against a hang, not synchronisation
			t.Fatalf("%s never finished its run for %s", job, tick)
		}
	}
}

func (r *running) stop() {
	r.once.Do(func() {
		r.cancel()
		<-r.done
	})
}

var ten30 = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

func TestRunsOnScheduleAndCatchesUpOnceAfterDowntime(t *testing.T) {
	w := fresh(t)
	rec := newRecorder()
	job := &tickJob{name: "hourly"}
	cfg := testConfig(map[string]config.JobSchedule{"hourly": {Cron: "0 * * * *", Timezone: "Europe/Paris"}})
	r := start(t, Options{Config: cfg, Warehouse: w, Poster: rec, Jobs: []Job{job}, Clock: clocktest.New(ten30), Holder: "a"})
	r.advance(ten30.Add(31 * time.Minute))
	if m := rec.wait(t); m.Channel != "tech-audits" || m.Reply.Title != "tick 11:00" {
		t.Fatalf("post %+v", m)
	}
	r.stop()
	if got := job.got(); len(got) != 1 || !got[0].Equal(ten30.Add(30*time.Minute)) {
		t.Fatalf("ticks %v", got)
	}

	// Down from 11:01 to 14:20: the 12:00, 13:00 and 14:00 runs are missed
	// and caught up once, for 14:00.
	job2 := &tickJob{name: "hourly"}
	r = start(t, Options{Config: cfg, Warehouse: w, Poster: rec, Jobs: []Job{job2}, Clock: clocktest.New(ten30.Add(3*time.Hour + 50*time.Minute)), Holder: "b"})
	if m := rec.wait(t); m.Reply.Title != "tick 14:00" {
		t.Fatalf("catch-up post %+v", m)
	}
	r.advance(ten30.Add(4*time.Hour + 29*time.Minute)) // 14:59
	r.stop()
	if got := job2.got(); len(got) != 1 || got[0].UTC().Hour() != 14 {
		t.Fatalf("after downtime ran for %v, want once for 14:00", got)
	}
	list, err := r.s.List(context.Background(), ten30.Add(4*time.Hour+29*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == "hourly" && (!e.Next.Equal(ten30.Add(4*time.Hour+30*time.Minute)) || e.Last.Status != "ok" || e.Last.Tick.UTC().Hour() != 14) {
			t.Fatalf("list %+v", e)
		}
	}
}

func TestJobNeverRunsTwiceAtOnce(t *testing.T) {
	w := fresh(t)
	rec := newRecorder()
	job := &tickJob{name: "slow", gate: make(chan struct{})}
	cfg := testConfig(map[string]config.JobSchedule{"slow": {Cron: "@every 1m"}})
	s, err := New(Options{Config: cfg, Warehouse: w, Poster: rec, Jobs: []Job{job}, Clock: clocktest.New(ten30), Holder: "a"})
	if err != nil {
		t.Fatal(err)
	}
	recorded := make(chan RunRecord, 10)
	s.ran = func(r RunRecord) { recorded <- r }
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, clock: s.clock.(*clocktest.Clock), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(r.stop)
	r.advance(ten30.Add(5 * time.Minute)) // ticks at 10:31…10:35 while the first run hangs
	if n := len(job.got()); n != 1 {
		t.Fatalf("%d runs at once", n)
	}
	close(job.gate)
	if x := <-recorded; x.Tick.Sub(ten30) != time.Minute || x.Status != "ok" {
		t.Fatalf("first run %+v", x)
	}
	r.advance(ten30.Add(6 * time.Minute))
	<-recorded
	if got := job.got(); len(got) != 2 || got[1].Sub(ten30) != 6*time.Minute {
		t.Fatalf("ticks %v", got)
	}
}

func TestSecondInstanceStandsBy(t *testing.T) {
	w := fresh(t)
	ttl := time.Minute
	a := &lease{w: w, name: "scheduler", holder: "a", ttl: ttl}
	b := &lease{w: w, name: "scheduler", holder: "b", ttl: ttl}
	ctx := context.Background()
	check := func(l *lease, now time.Time, want bool) {
		t.Helper()
		got, err := l.acquire(ctx, now)
		if err != nil || got != want {
			t.Fatalf("%s at %s: lead=%v err=%v, want %v", l.holder, now.Format("15:04:05"), got, err, want)
		}
	}
	check(a, ten30, true)
	check(b, ten30.Add(time.Second), false)
	check(a, ten30.Add(20*time.Second), true)
	check(b, ten30.Add(21*time.Second), false)
	// a stops renewing (hung, or gone without a word): b takes over after the TTL
	check(b, ten30.Add(81*time.Second), true)
	check(a, ten30.Add(82*time.Second), false) // a comes back at the back of the line
	check(b, ten30.Add(100*time.Second), true)
	// b shuts down cleanly: a leads at once
	if err := b.release(ctx); err != nil {
		t.Fatal(err)
	}
	check(a, ten30.Add(101*time.Second), true)
}

// pdRouter is a pager.Router to a loopback PagerDuty Events API answering
// status; it returns the events received.
func pdRouter(t *testing.T, status int) (*pager.Router, func() []map[string]any) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if r.URL.Path != "/v2/enqueue" || json.NewDecoder(r.Body).Decode(&ev) != nil {
			http.Error(w, "bad", 400)
			return
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	router := pager.New(map[string]pager.Service{"web": {Provider: "pagerduty", Key: "rk", URL: srv.URL}},
		pager.Options{Backoff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 1) }})
	return router, func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), got...)
	}
}

type levels struct{}

func (levels) Name() string { return "levels" }
func (levels) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return []opsbot.Notice{
		{Level: opsbot.LevelAudit, Key: "a", Reply: opsbot.Reply{Title: "audit"}},
		{Level: opsbot.LevelWarn, Key: "w", Reply: opsbot.Reply{Title: "warn"}},
		{Level: opsbot.LevelPage, Service: "web", Key: "p", Reply: opsbot.Reply{Title: "page"}},
	}, nil
}

func TestNoticesGoToTheRoomOfTheirLevel(t *testing.T) {
	w := fresh(t)
	rec := newRecorder()
	pg, pages := pdRouter(t, 202)
	cfg := testConfig(map[string]config.JobSchedule{"levels": {Cron: "@daily"}})
	s, err := New(Options{Config: cfg, Warehouse: w, Poster: rec, Pager: pg, Jobs: []Job{levels{}}, Clock: clocktest.New(ten30)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunJob(context.Background(), "levels", ten30, false, nil, ""); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rec.msgs {
		got = append(got, m.Channel+" "+m.Reply.Title)
	}
	if strings.Join(got, ", ") != "tech-audits audit, tech-alerts warn, tech-pages page" {
		t.Fatalf("posts %v", got)
	}
	ev := pages()
	if len(ev) != 1 {
		t.Fatalf("pages %v", ev)
	}
	b, _ := json.Marshal(ev[0])
	want := `{"client":"opsbot","dedup_key":"opsbot-p","event_action":"trigger","payload":{"component":"web",` +
		`"custom_details":{"slack_thread":"tech-pages 1764000000.000003"},"severity":"critical","source":"opsbot job levels","summary":"page"},"routing_key":"rk"}`
	if string(b) != want {
		t.Fatalf("event\n got %s\nwant %s", b, want)
	}
}

func TestFailedPageFallsBackToHere(t *testing.T) {
	w := fresh(t)
	rec := newRecorder()
	pg, pages := pdRouter(t, 503)
	cfg := testConfig(map[string]config.JobSchedule{"levels": {Cron: "@daily"}})
	s, err := New(Options{Config: cfg, Warehouse: w, Poster: rec, Pager: pg, Jobs: []Job{levels{}}, Clock: clocktest.New(ten30)})
	if err != nil {
		t.Fatal(err)
	}
	err = s.RunJob(context.Background(), "levels", ten30, false, nil, "")
	if err == nil || !strings.Contains(err.Error(), "fell back to @here in tech-pages") {
		t.Fatalf("err %v", err)
	}
	if n := len(pages()); n != 2 {
		t.Fatalf("%d attempts, want 2 (one retry)", n)
	}
	last := rec.msgs[len(rec.msgs)-1]
	if last.Channel != "tech-pages" || last.Thread != "1764000000.000003" || !last.Reply.Here || !strings.HasPrefix(last.Reply.Title, "PAGE for web: the pager failed") ||
		!strings.Contains(last.Reply.Text, "status 503") {
		t.Fatalf("fallback %+v", last)
	}
}

func TestJobWithoutScheduleIsAnError(t *testing.T) {
	_, err := New(Options{Config: testConfig(nil), Warehouse: fresh(t), Jobs: []Job{&tickJob{name: "infra-audit-x"}}})
	if err == nil || !strings.Contains(err.Error(), "schedules.jobs.infra-audit-x.cron") {
		t.Fatalf("err %v", err)
	}
}

func TestDryRunPrintsTheDailyAnalysis(t *testing.T) {
	w := fresh(t)
	warehousetest.Truncate(t, w, "requests")
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: day, Lines: 20_000}))
	rec := newRecorder()
	s, err := New(Options{Config: testConfig(nil), Warehouse: w, Poster: rec, Clock: clocktest.New(ten30)})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dir := t.TempDir()
	if err := s.RunJob(context.Background(), "daily-analysis", day.Add(31*time.Hour), true, &out, dir); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"would post to tech-audits", "Daily log analysis: Sun 22 Nov 2026", "*Requests* 20,000", "Top 4xx clients", "104.2.1.1"} {
		if !strings.Contains(text, want) {
			t.Errorf("dry run lacks %q:\n%s", want, text)
		}
	}
	m := regexp.MustCompile(`\[attachment\] .*: (\S+\.png) \(image/png`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no chart in:\n%s", text)
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("chart: %v", err)
	}
	if len(rec.msgs) != 0 {
		t.Fatalf("a dry run posted %d messages", len(rec.msgs))
	}
	res, err := w.Query(context.Background(), "SELECT count() FROM schedule_runs", nil)
	if err != nil || res.Rows[0][0].(uint64) != 0 {
		t.Fatalf("a dry run recorded a run: %v %v", res, err)
	}
}
