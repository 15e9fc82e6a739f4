package stats

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/opsbot/opsbot"
)

// Report is one window's figures with what they are compared with.
type Report struct {
	Window   Window
	Location *time.Location
	Top      int // the costliest services shown
	Sections []Section
	// Previous is the window compared with: last week, or for an ad-hoc
	// window the one of the same length just before.
	Previous Window
	// Medians are the four weeks before a weekly window (empty for an
	// ad-hoc window): their median is the baseline.
	Medians []time.Time
	// History holds the earlier windows' stored totals (weekly), or the
	// previous window's figures read live (ad hoc), keyed by window start.
	History    History
	HistoryErr error // the stored figures could not be read: no comparison
	Chart      []byte
	ChartErr   error
	StoreErr   error
}

// Build collects w's figures and what they are compared with. A weekly
// window is compared with the stored weeks before it (org_stats), and,
// when store is set, its own figures are stored first; an ad-hoc window is
// compared with the window just before it, read live, and never stored.
func (s *Stats) Build(ctx context.Context, w Window, now time.Time, store bool) *Report {
	r := &Report{Window: w, Location: s.o.Location, Top: s.o.Top, Previous: w.Previous(s.o.Location)}
	r.Sections = s.Collect(ctx, w)
	if w.Kind != Week {
		r.History = History{}
		for _, sec := range s.collect(ctx, r.Previous, false) {
			if len(sec.Errors) == 0 {
				r.History.add(r.Previous.Since, sec.Figures)
			}
		}
		r.Chart, r.ChartErr = nil, nil
		return r
	}
	if store {
		r.StoreErr = s.Store(ctx, w, now, r.Sections)
	}
	for p := w; len(r.Medians) < 4; {
		p = p.Previous(s.o.Location)
		r.Medians = append(r.Medians, p.Since)
	}
	first := w.Since.In(s.o.Location).AddDate(0, 0, -7*(ChartWeeks-1)).UTC()
	r.History, r.HistoryErr = s.ReadHistory(ctx, Week, first, w.Since)
	r.Chart, r.ChartErr = Chart(r)
	return r
}

func (h History) add(start time.Time, fs []Figure) {
	for _, f := range fs {
		if h[key(f)] == nil {
			h[key(f)] = map[int64]float64{}
		}
		h[key(f)][start.Unix()] = f.Value
	}
}

// Median is the median of the metric (or "metric/dimension") over the
// four weeks before a weekly window, and how many of them have a stored value (0: no median).
func (r *Report) Median(metric string) (float64, int) {
	var vs []float64
	for _, t := range r.Medians {
		if v, ok := r.History.Value(metric, t); ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, 0
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 1 {
		return vs[n/2], n
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, len(vs)
}

// Job is the weekly statistics job (schedules.Job's method set, plus
// Preview for dry runs).
type Job struct{ s *Stats }

// Job returns the weekly job.
func (s *Stats) Job() *Job { return &Job{s: s} }

// Name is "stats".
func (j *Job) Name() string { return Name }

// Run reports on the last whole week before now, stores its figures and
// returns one audit notice. A failure to store is returned with the
// notice, which says so.
func (j *Job) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.run(ctx, now, true)
}

// Preview is Run without storing: what `schedules run stats --dry-run`
// prints.
func (j *Job) Preview(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.run(ctx, now, false)
}

func (j *Job) run(ctx context.Context, now time.Time, store bool) ([]opsbot.Notice, error) {
	r := j.s.Build(ctx, LastWeek(now, j.s.o.Location), now, store)
	n := opsbot.Notice{Level: opsbot.LevelAudit, Key: Name, Reply: Render(r)}
	if r.StoreErr != nil {
		return []opsbot.Notice{n}, fmt.Errorf("stats: %w", r.StoreErr)
	}
	return []opsbot.Notice{n}, nil
}
