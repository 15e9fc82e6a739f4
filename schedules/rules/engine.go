package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Name is the health job's name.
const Name = "health"

// Sender says things out loud: Post puts a reply in the room of level (in
// thread when set) and returns its ts; Page wakes a service's on-call and,
// when the pager fails, falls back to an @here in the alerts room (thread)
// and returns the pager's error.
type Sender interface {
	Post(ctx context.Context, level opsbot.Level, thread string, r opsbot.Reply) (string, error)
	Page(ctx context.Context, p opsbot.Page, thread string) error
}

// Options configure an Engine.
type Options struct {
	Rules     []Rule
	Warehouse warehouse.Warehouse
	Catalog   *sql.Catalog // the named queries (sql.DefaultCatalog() when nil)
	Store     Store
	Sender    Sender
	GroupWait time.Duration
	DryRun    bool // evaluate and send, but save no state
	Log       *slog.Logger
	// WebURL is web.base_url: a warning's dig phrase links to its answer's
	// page (BASE/ask?q=PHRASE); "": no link.
	WebURL string
}

// Engine evaluates the rules; it is the "health" scheduled job.
type Engine struct {
	o      Options
	mu     sync.Mutex
	states map[string]State
	saved  map[string]string // JSON last saved, to write only changes
}

// New is an Engine; it loads the saved states on its first run.
func New(o Options) *Engine {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Catalog == nil {
		o.Catalog = sql.DefaultCatalog()
	}
	return &Engine{o: o}
}

// Name is "health".
func (e *Engine) Name() string { return Name }

// Rules are the rules evaluated.
func (e *Engine) Rules() []Rule { return e.o.Rules }

// Run evaluates every rule at now and posts and pages what is due. It posts
// through the Sender itself (a resolved notice goes in its warning's
// thread), so it returns no notices.
func (e *Engine) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ctx); err != nil {
		return nil, err
	}
	silenced, err := e.silenced(ctx, now)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{e: e, now: now, silenced: silenced}
	for _, r := range e.o.Rules {
		ev.evaluate(ctx, r)
	}
	ev.send(ctx)
	return nil, e.save(ctx, now)
}

func (e *Engine) load(ctx context.Context) error {
	if e.states != nil {
		return nil
	}
	st, err := e.o.Store.States(ctx)
	if err != nil {
		return err
	}
	e.states, e.saved = st, map[string]string{}
	for k, s := range st {
		b, _ := json.Marshal(s)
		e.saved[k] = string(b)
	}
	return nil
}

func (e *Engine) silenced(ctx context.Context, now time.Time) (map[string]bool, error) {
	ss, err := e.o.Store.Silences(ctx, now)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, s := range ss {
		m[s.Rule] = true
	}
	return m, nil
}

func (e *Engine) save(ctx context.Context, now time.Time) error {
	if e.o.DryRun {
		return nil
	}
	names := make([]string, 0, len(e.states))
	for n := range e.states {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		b, _ := json.Marshal(e.states[n])
		if e.saved[n] == string(b) {
			continue
		}
		if err := e.o.Store.SaveState(ctx, n, e.states[n], now); err != nil {
			errs = append(errs, err)
			continue
		}
		e.saved[n] = string(b)
	}
	return errors.Join(errs...)
}

// State is a copy of one rule's state (for tests and `schedules list`).
func (e *Engine) State(rule string) State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.states[rule]
}

// errNoData is a query that answered nothing to compare.
var errNoData = errors.New("no data")

// query runs a rule's named query read-only, for up to 30 s. The window
// (since, until) goes to the queries that take it; the rule's own
// parameters must all be the query's.
func (e *Engine) query(ctx context.Context, name string, p opsbot.Params, now time.Time) (*opsbot.Result, error) {
	n, err := e.o.Catalog.Named(name)
	if err != nil {
		return nil, err
	}
	q := opsbot.Params{}
	for k, v := range p {
		if n.Param(k) != nil || (k != "since" && k != "until") {
			q[k] = v
		}
	}
	res, _, err := e.o.Catalog.Run(ctx, e.o.Warehouse, name, q, now, warehouse.Timeout(30))
	return res, err
}

// measure runs the rule's query for the window ending at now.
func (e *Engine) measure(ctx context.Context, r Rule, now time.Time) (float64, *opsbot.Result, error) {
	p := opsbot.Params{"since": warehouse.TimeParam(now.Add(-r.Window)), "until": warehouse.TimeParam(now)}
	for k, v := range r.Params {
		p[k] = v
	}
	res, err := e.query(ctx, r.Query, p, now)
	if errors.Is(err, sql.ErrNoTable) && r.Fallback != "" {
		res, err = e.query(ctx, r.Fallback, p, now)
	}
	if err != nil {
		return 0, nil, err
	}
	if len(res.Rows) == 0 || res.Col("value") < 0 {
		return 0, res, fmt.Errorf("%w: the query returned no value", errNoData)
	}
	v, ok := warehouse.Float(res.Rows[0][res.Col("value")])
	if !ok {
		return 0, res, fmt.Errorf("%w in the last %s", errNoData, Dur(r.Window))
	}
	return v, res, nil
}

// figures are the extra columns of the query's row, for the post.
func figures(res *opsbot.Result) string {
	if res == nil || len(res.Rows) == 0 {
		return ""
	}
	s := ""
	for i, c := range res.Columns {
		if c.Name == "value" {
			continue
		}
		v := res.Rows[0][i]
		if f, ok := v.(float64); ok {
			v = strconv.FormatFloat(f, 'f', -1, 64)
			if len(v.(string)) > 8 {
				v = strconv.FormatFloat(f, 'f', 1, 64)
			}
		}
		if s != "" {
			s += ", "
		}
		s += c.Name + " " + warehouse.String(v)
	}
	return s
}
