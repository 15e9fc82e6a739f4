// Package report builds the daily log analysis posted each morning to the
// audit room: yesterday's totals against the same weekday last week, status
// mix, top 4xx/5xx clients and paths, bandwidth, cache hit ratio, slowest
// paths, clients new to the top list, GoAccess's one-day panels (requested
// files, static files, not-found URLs, visitors, OSes, browsers, hours,
// virtual hosts, referrers, countries, cache status), ingest health, and a
// PNG chart of requests and errors per 5 minutes.
//
// Each figure reads the rollups kept inside the requests table (sql/schema
// 009, 010, 021) for the day's whole hours or 5 minutes, and the rows only
// for partial edge buckets and for what no rollup holds: the visitors of
// each listed item (one pass, daily_visitors) and the top clients.
package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Name is the job's name.
const Name = "daily-analysis"

// Options configure the report.
type Options struct {
	Warehouse warehouse.Warehouse
	Catalog   *sql.Catalog   // the named queries (sql.DefaultCatalog() when nil)
	Location  *time.Location // what "yesterday" means (UTC when nil)
	Top       int            // length of each top list (5 when 0)
	// WebURL is web.base_url: the post links to the report's page
	// (BASE/reports/daily/YYYY-MM-DD); "": no link.
	WebURL string
	// TopClients answers the top-client lists (the query engine's
	// certified hourly summaries); nil: the named query daily_clients.
	TopClients TopClients
}

// TopClients answers the clients with the most requests of a status range
// in [since, until), exactly (proven from summaries, or scanned): one row
// per client with ip, requests, bytes and top_path. query.Engine is one.
type TopClients interface {
	TopClientsBetween(ctx context.Context, since, until time.Time, statusMin, statusMax, limit int) (*opsbot.Result, error)
}

// Job is the daily-analysis scheduled job.
type Job struct{ o Options }

// New is the job.
func New(o Options) *Job {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Top <= 0 {
		o.Top = 5
	}
	if o.Catalog == nil {
		o.Catalog = sql.DefaultCatalog()
	}
	return &Job{o: o}
}

// run runs a named query of the report read-only, for up to 300 s. Every
// call passes since and until, the only parameters whose defaults are
// relative to now.
func (j *Job) run(ctx context.Context, name string, p opsbot.Params) (*opsbot.Result, error) {
	res, _, err := j.o.Catalog.Run(ctx, j.o.Warehouse, name, p, time.Time{}, warehouse.Timeout(300))
	return res, err
}

// Name is "daily-analysis".
func (j *Job) Name() string { return Name }

// Preview is Run: the report only reads.
func (j *Job) Preview(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return j.Run(ctx, now)
}

// Run reports on the day before now, as one audit notice.
func (j *Job) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	r, err := j.Build(ctx, Yesterday(now, j.o.Location))
	if err != nil {
		return nil, err
	}
	reply := Render(r)
	if j.o.WebURL != "" {
		reply.Context += " · as a page: " + strings.TrimSuffix(j.o.WebURL, "/") + "/reports/daily/" + r.Day.Format("2006-01-02")
	}
	return []opsbot.Notice{{Level: opsbot.LevelAudit, Key: Name, Reply: reply}}, nil
}

// Yesterday is the start of the day before now's, in loc.
func Yesterday(now time.Time, loc *time.Location) time.Time {
	n := now.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day()-1, 0, 0, 0, 0, loc)
}

// Build reads the figures of the day starting at day (midnight in its
// location).
func (j *Job) Build(ctx context.Context, day time.Time) (*Report, error) {
	r := &Report{Day: day, Since: day.UTC(), Until: day.AddDate(0, 0, 1).UTC(), Top: j.o.Top}
	steps := []func(context.Context, *Report) error{
		j.totals, j.status, j.tops, j.panels, j.visitors, j.slowest, j.newClients, j.hours, j.series, j.ingest,
	}
	for _, step := range steps {
		if err := step(ctx, r); err != nil {
			return nil, fmt.Errorf("daily analysis of %s: %w", day.Format("2006-01-02"), err)
		}
	}
	chart, err := Chart(r)
	if err != nil {
		return nil, fmt.Errorf("daily analysis chart: %w", err)
	}
	r.Chart = chart
	return r, nil
}

// params are the day's window plus extra.
func (r *Report) params(kv ...string) opsbot.Params {
	p := opsbot.Params{"since": warehouse.TimeParam(r.Since), "until": warehouse.TimeParam(r.Until)}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = kv[i+1]
	}
	return p
}
