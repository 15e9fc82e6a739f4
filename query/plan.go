package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Plan is a parsed phrase: the named query to run, its bound parameters and
// how to present the answer.
type Plan struct {
	Kind   string // top, hits, traffic, status, rate, slowest, graph
	Query  string // named query, e.g. "top_by_ip"
	Params opsbot.Params
	Window Window
	Title  string
	What   What   // top, rate, graph
	Plot   string // graph: the column charted
	Step   time.Duration
}

// errorf is bad input (opsbot.ErrInvalid), worded for the asker.
func errorf(format string, args ...any) error { return opsbot.Invalidf(format, args...) }

// Plan parses a phrase at now. Errors wrap opsbot.ErrInvalid and say what
// was wrong and what would work.
func (e *Engine) Plan(phrase string, now time.Time) (*Plan, error) {
	if err := e.cat.Err(); err != nil {
		return nil, err
	}
	orig, low := words(phrase)
	if len(low) == 0 {
		return nil, errorf("ask something, e.g. `top 4xx by ip`")
	}
	p := &parser{e: e, orig: orig, low: low, now: now}
	switch low[0] {
	case "top":
		return p.top()
	case "hits", "hit", "who":
		return p.hits()
	case "traffic":
		return p.traffic()
	case "status", "statuses":
		return p.status()
	case "rate":
		return p.rate()
	case "slowest", "slow":
		return p.slowest()
	case "graph", "chart", "plot":
		return p.graph()
	}
	if err := e.chatCommand(low[0]); err != nil {
		return nil, err
	}
	return nil, errorf("I don't know %q", low[0])
}

// parser walks one phrase's words.
type parser struct {
	e         *Engine
	orig, low []string
	i         int
	now       time.Time
}

func (p *parser) more() bool   { return p.i < len(p.low) }
func (p *parser) peek() string { return p.at(p.i) }
func (p *parser) at(i int) string {
	if i < len(p.low) {
		return p.low[i]
	}
	return ""
}

// window reads the rest of the phrase as a window (default: the last def)
// and fails on words left over.
func (p *parser) window(def time.Duration) (Window, error) {
	w, n, err := ParseWindow(p.low[p.i:], p.now, p.e.opts.Location, def)
	if err != nil {
		return Window{}, errorf("%v", err)
	}
	p.i += n
	if p.more() {
		return Window{}, errorf("I don't understand %q at the end", strings.Join(p.orig[p.i:], " "))
	}
	return w, nil
}

var windowWords = map[string]bool{"last": true, "past": true, "previous": true, "today": true,
	"yesterday": true, "since": true, "between": true, "in": true, "over": true, "during": true, "the": true}

// windowAhead says whether the words from i start a window.
func (p *parser) windowAhead(i int) bool {
	w := p.at(i)
	if w == "from" {
		_, _, err := parseInstant(p.low[i+1:], p.now, p.now, time.UTC)
		return err == nil
	}
	if w == "for" {
		return windowWords[p.at(i+1)] || isDuration(p.at(i+1))
	}
	return windowWords[w] || isDuration(w)
}

func isDuration(w string) bool {
	_, err := compactDuration(w)
	return err == nil
}

// base is the window parameters every named query takes.
func base(w Window) opsbot.Params {
	return opsbot.Params{"since": warehouse.TimeParam(w.Since), "until": warehouse.TimeParam(w.Until)}
}

// limit reads an optional N.
func (p *parser) limit() (int, bool, error) {
	n, err := strconv.Atoi(p.peek())
	if err != nil {
		return p.e.opts.DefaultLimit, false, nil
	}
	if n < 1 {
		return 0, false, errorf("N must be at least 1, got %d", n)
	}
	p.i++
	return min(n, p.e.opts.MaxRows), true, nil
}

// step picks a bucket width that gives a chart-sized series.
func step(w Window) time.Duration {
	d := w.Until.Sub(w.Since)
	for _, s := range []struct{ upTo, step time.Duration }{
		{15 * time.Minute, time.Minute}, {2 * time.Hour, 5 * time.Minute}, {6 * time.Hour, 15 * time.Minute},
		{26 * time.Hour, time.Hour}, {4 * 24 * time.Hour, 3 * time.Hour}, {8 * 24 * time.Hour, 6 * time.Hour},
	} {
		if d <= s.upTo {
			return s.step
		}
	}
	return 24 * time.Hour
}

func stepLabel(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d-day", d/(24*time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%d-hour", d/time.Hour)
	}
	return fmt.Sprintf("%d-minute", d/time.Minute)
}
