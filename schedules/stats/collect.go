package stats

import (
	"context"
	"fmt"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Section is one part of the post.
type Section struct {
	Title   string
	Figures []Figure
	Errors  []string // one line per part that could not be read: its figures are unknown
	Notes   []string
}

// part reads some of a section's figures.
type part struct {
	what string // "hourly traffic", for the error line
	read func(context.Context, Window) ([]Figure, []string, error)
	// snapshot: the part reads the present (AWS as it runs now), not
	// the window: it has no value for an earlier window read live.
	snapshot bool
}

type sectionDef struct {
	title string
	parts []part
}

func (s *Stats) sections() []sectionDef {
	defs := []sectionDef{
		{"Traffic", []part{{what: "hourly traffic", read: s.hours}, {what: "clients, cache and latency", read: s.rows},
			{what: "countries", read: s.countries}}},
	}
	if s.o.GitHub {
		var parts []part
		if s.o.Activity != nil {
			parts = append(parts, part{what: "GitHub activity", read: s.activity})
		}
		defs = append(defs, sectionDef{"Engineering", append(parts,
			part{what: "GitHub members without 2FA", read: s.findings("github-no-2fa", No2FA, No2FANew, No2FAFixed)})})
	}
	if s.o.AWS {
		var parts []part
		if s.o.Inventory != nil {
			parts = append(parts, part{what: "AWS instances and load balancers", read: s.inventory, snapshot: true})
		}
		parts = append(parts, part{what: "AWS cost (Cost Explorer)", read: s.costs})
		defs = append(defs, sectionDef{"Infrastructure", append(parts, []part{
			{what: "security groups", read: s.findings("open-security-group", OpenSG, OpenSGNew, OpenSGFixed)},
			{what: "load balancers", read: s.findings("public-load-balancer", PublicLB, PublicLBNew, PublicLBFix)}}...)})
	}
	return append(defs, sectionDef{"opsbot itself", []part{{what: "audit log", read: s.audit},
		{what: "alerts and runs", read: s.alerts}, {what: "ingest", read: s.ingest}}})
}

// Collect reads every configured section's figures for w. A part that
// fails adds an error line to its section and only the figures it could
// read (none, for a failed query).
func (s *Stats) Collect(ctx context.Context, w Window) []Section { return s.collect(ctx, w, true) }

// collect is Collect, without the parts that read the present unless
// snapshots is set.
func (s *Stats) collect(ctx context.Context, w Window, snapshots bool) []Section {
	var out []Section
	for _, d := range s.sections() {
		sec := Section{Title: d.title}
		for _, p := range d.parts {
			if p.snapshot && !snapshots {
				continue
			}
			fs, notes, err := p.read(ctx, w)
			sec.Figures = append(sec.Figures, fs...) // what could be read
			sec.Notes = append(sec.Notes, notes...)
			if err != nil {
				sec.Errors = append(sec.Errors, fmt.Sprintf("could not read %s: %s", p.what, opsbot.ErrorText(err)))
			}
		}
		out = append(out, sec)
	}
	return out
}

// hours sums the hourly rollup into the totals, ratios, busiest day and
// busiest hour (days and hours in the configured time zone).
func (s *Stats) hours(ctx context.Context, w Window) ([]Figure, []string, error) {
	rows, err := s.run(ctx, "stats_traffic_hours", w.params())
	if err != nil {
		return nil, nil, err
	}
	var req, bytes, s4, s5 uint64
	days := map[string]uint64{}
	peak := -1
	for i, r := range rows {
		req, bytes, s4, s5 = req+r.U("requests"), bytes+r.U("bytes"), s4+r.U("s4xx"), s5+r.U("s5xx")
		days[warehouse.Time(r.Get("time")).In(s.o.Location).Format("2006-01-02, Monday")] += r.U("requests")
		if peak < 0 || r.U("requests") > rows[peak].U("requests") {
			peak = i
		}
	}
	fs := []Figure{{Metric: Requests, Value: float64(req)}, {Metric: BytesServed, Value: float64(bytes)}}
	if req == 0 {
		return fs, []string{"no requests in this window"}, nil
	}
	fs = append(fs, Figure{Metric: Ratio4xx, Value: float64(s4) / float64(req)}, Figure{Metric: Ratio5xx, Value: float64(s5) / float64(req)})
	day, n := busiest(days)
	fs = append(fs, Figure{Metric: BusiestDay, Dimension: day, Value: float64(n)})
	top := rows[peak]
	hour := warehouse.Time(top.Get("time")).In(s.o.Location).Format("Mon 2006-01-02 15:04 MST")
	return append(fs, Figure{Metric: BusiestHour, Dimension: hour, Value: float64(top.U("requests"))}), nil, nil
}

// busiest is the key with the highest count, the first in order on ties.
func busiest(m map[string]uint64) (string, uint64) {
	var best string
	var n uint64
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best, n
}

func (s *Stats) rows(ctx context.Context, w Window) ([]Figure, []string, error) {
	rows, err := s.run(ctx, "stats_traffic_rows", w.params())
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	r := rows[0]
	fs := []Figure{{Metric: Clients, Value: float64(r.U("clients"))}}
	if hm := r.U("cache_hits") + r.U("cache_misses"); hm > 0 {
		fs = append(fs, Figure{Metric: CacheHitRatio, Value: float64(r.U("cache_hits")) / float64(hm)})
	}
	if r.U("clients") > 0 {
		fs = append(fs, Figure{Metric: P95, Value: r.F("p95_seconds")})
	}
	return fs, nil, nil
}

func (s *Stats) countries(ctx context.Context, w Window) ([]Figure, []string, error) {
	rows, err := s.run(ctx, "top_by_country", w.params("limit", fmt.Sprint(s.o.Top+1)))
	if err != nil {
		return nil, nil, err
	}
	var fs []Figure
	for _, r := range rows {
		if c := r.S("country"); c != "" && len(fs) < s.o.Top {
			fs = append(fs, Figure{Metric: Country, Dimension: c, Value: float64(r.U("requests"))})
		}
	}
	if len(fs) == 0 && len(rows) > 0 {
		return nil, []string{"countries: none in the logs (CloudFront's standard logs carry none)"}, nil
	}
	return fs, nil, nil
}

// one is the single row of a named query's answer.
func (s *Stats) one(ctx context.Context, name string, w Window) (warehouse.Row, error) {
	rows, err := s.run(ctx, name, w.params())
	if err != nil {
		return warehouse.Row{}, err
	}
	if len(rows) != 1 {
		return warehouse.Row{}, fmt.Errorf("query %s answered %d rows, not one", name, len(rows))
	}
	return rows[0], nil
}

func (s *Stats) audit(ctx context.Context, w Window) ([]Figure, []string, error) {
	r, err := s.one(ctx, "stats_opsbot", w)
	if err != nil {
		return nil, nil, err
	}
	return counts(r, []Metric{Questions, Askers, TopAsker, Refused, Writes, Pages},
		"questions", "askers", "top_asker", "refused", "writes", "pages"), nil, nil
}

func (s *Stats) alerts(ctx context.Context, w Window) ([]Figure, []string, error) {
	r, err := s.one(ctx, "stats_alerts", w)
	if err != nil {
		return nil, nil, err
	}
	return counts(r, []Metric{AlertsFired, AlertPosts, JobRuns, JobFailures},
		"fired", "alert_posts", "job_runs", "job_failures"), nil, nil
}

func (s *Stats) ingest(ctx context.Context, w Window) ([]Figure, []string, error) {
	r, err := s.one(ctx, "stats_ingest", w)
	if err != nil {
		return nil, nil, err
	}
	fs := counts(r, []Metric{IngestObjects, IngestRows, IngestRejected, IngestFailed},
		"objects", "rows", "rejected", "failed")
	if r.U("objects") == 0 {
		return fs, nil, nil
	}
	return append(fs, Figure{Metric: IngestLagP95, Value: r.F("lag_p95_seconds")},
		Figure{Metric: IngestLagMax, Value: r.F("lag_max_seconds")}), nil, nil
}

// counts are the columns of r as figures of ms, in order.
func counts(r warehouse.Row, ms []Metric, cols ...string) []Figure {
	fs := make([]Figure, len(ms))
	for i, m := range ms {
		fs[i] = Figure{Metric: m, Value: float64(r.U(cols[i]))}
	}
	return fs
}

// findings reads one audit check's open, new and fixed findings per
// account from the infra-audit's recorded runs. An account whose check
// failed in the last run gets an error instead of figures.
func (s *Stats) findings(check string, open, added, fixed Metric) func(context.Context, Window) ([]Figure, []string, error) {
	return func(ctx context.Context, w Window) ([]Figure, []string, error) {
		rows, err := s.run(ctx, "stats_findings", w.params("check", check))
		if err != nil {
			return nil, nil, err
		}
		runs := uint64(0)
		for _, r := range rows {
			if r.S("account") == "" {
				runs = r.U("open") // the runs row
			}
		}
		if runs == 0 {
			return nil, []string{"no infra-audit run recorded yet: " + open.Label + " unknown"}, nil
		}
		var fs []Figure
		var total, totalNew, totalFixed float64
		var failed []string
		earlier := false
		for _, r := range rows {
			acct := r.S("account")
			if acct == "" {
				continue
			}
			if r.U("errors") > 0 {
				failed = append(failed, acct)
				continue
			}
			total += float64(r.U("open"))
			fs = append(fs, Figure{Metric: open, Dimension: acct, Value: float64(r.U("open"))})
			if r.U("earlier") == 1 {
				earlier = true
				totalNew, totalFixed = totalNew+float64(r.U("new")), totalFixed+float64(r.U("fixed"))
				fs = append(fs, Figure{Metric: added, Dimension: acct, Value: float64(r.U("new"))},
					Figure{Metric: fixed, Dimension: acct, Value: float64(r.U("fixed"))})
			}
		}
		if len(failed) > 0 {
			return fs, nil, fmt.Errorf("the last infra-audit could not check %s", joinList(failed))
		}
		fs = append(fs, Figure{Metric: open, Value: total})
		if earlier {
			fs = append(fs, Figure{Metric: added, Value: totalNew}, Figure{Metric: fixed, Value: totalFixed})
		}
		return fs, nil, nil
	}
}

func joinList(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
