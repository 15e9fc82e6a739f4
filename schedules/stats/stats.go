// Package stats builds the general statistics about the organization: a
// weekly post to the audit room (job "stats", Monday 08:00 by default) and
// the `stats [WINDOW]` chat command. Sections: traffic (the requests table,
// through the hourly rollups where they answer), opsbot itself (audit log,
// scheduled runs, alert state, ingest manifest), and, when the audits are
// configured, engineering (GitHub members without 2FA) and infrastructure
// (security groups open to the world, unexpected public load balancers),
// both from the infra-audit's recorded findings, and, when
// schedules.stats.cost_explorer is on, the week's AWS cost by service from
// Cost Explorer (off by default: its calls are billed, and the section
// says so).
//
// Every figure of a week is stored in org_stats (sql/schema/016), so the
// comparisons with last week and with the four-week median are read back
// from SQL, and analysts can chart them. A part that cannot be read shows
// as an error line in its section and stores nothing: never zeros. With no
// stored history the post says "no history yet" instead of comparing with
// zero.
package stats

import (
	"context"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Name is the job's name (schedules.jobs.stats).
const Name = "stats"

// Window kinds: org_stats.window holds Week; ad-hoc windows (chat) are
// never stored.
const (
	Week  = "week"
	Adhoc = "adhoc"
)

// Options configure the statistics.
type Options struct {
	Warehouse warehouse.Warehouse
	Catalog   *sql.Catalog   // sql.DefaultCatalog() when nil
	Location  *time.Location // where weeks start (Monday 00:00); UTC when nil
	// GitHub and AWS say whether the audits look at a GitHub organization
	// and at AWS accounts: their sections appear only then.
	GitHub, AWS bool
	// Activity reads the GitHub organizations' activity (*github.Orgs);
	// nil leaves members, repositories, pull requests and issues out.
	Activity Activity
	// Inventory counts what runs in AWS now (*aws.Accounts); nil leaves
	// instances and load balancers out.
	Inventory Inventory
	// Costs reads the week's AWS cost by service from Cost Explorer
	// (*aws.Accounts), set only when schedules.stats.cost_explorer is on:
	// Cost Explorer calls are billed. Nil, the infrastructure section
	// says the cost was not read, and why.
	Costs Costs
	// Top is the length of the countries list and of the costliest
	// services (5 when 0).
	Top int
}

// Activity is a GitHub organization's activity in a window.
type Activity interface {
	Activity(ctx context.Context, since, until time.Time) (github.Activity, error)
}

// Inventory is what runs in the AWS accounts now.
type Inventory interface {
	Inventory(ctx context.Context) (aws.Inventory, error)
}

// Costs is what the AWS accounts cost over the days [start, end), by
// service.
type Costs interface {
	Costs(ctx context.Context, start, end time.Time) (aws.Costs, error)
}

// Stats collects and reports the figures.
type Stats struct{ o Options }

// New returns the statistics of o.
func New(o Options) *Stats {
	if o.Catalog == nil {
		o.Catalog = sql.DefaultCatalog()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Top <= 0 {
		o.Top = 5
	}
	return &Stats{o: o}
}

// Window is the time the figures cover: [Since, Until).
type Window struct {
	Kind         string // Week, or Adhoc
	Since, Until time.Time
	Label        string // an ad-hoc window as asked: "last 24h", "today"
}

// LastWeek is the last whole week (Monday to Monday in loc) before now.
func LastWeek(now time.Time, loc *time.Location) Window {
	n := now.In(loc)
	monday := time.Date(n.Year(), n.Month(), n.Day()-(int(n.Weekday())+6)%7, 0, 0, 0, 0, loc)
	return Window{Kind: Week, Since: monday.AddDate(0, 0, -7).UTC(), Until: monday.UTC()}
}

// Previous is the window of the same kind just before w. A week is seven
// local days (a daylight-saving change makes it 167 or 169 hours).
func (w Window) Previous(loc *time.Location) Window {
	if w.Kind == Week {
		return Window{Kind: Week, Since: w.Since.In(loc).AddDate(0, 0, -7).UTC(), Until: w.Since}
	}
	return Window{Kind: w.Kind, Since: w.Since.Add(-w.Until.Sub(w.Since)), Until: w.Since, Label: "before"}
}

func (w Window) params(kv ...string) opsbot.Params {
	p := opsbot.Params{"since": warehouse.TimeParam(w.Since), "until": warehouse.TimeParam(w.Until)}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = kv[i+1]
	}
	return p
}

// run runs a named query read-only, for up to 300 s.
func (s *Stats) run(ctx context.Context, name string, p opsbot.Params) ([]warehouse.Row, error) {
	res, _, err := s.o.Catalog.Run(ctx, s.o.Warehouse, name, p, time.Time{}, warehouse.Timeout(300))
	if err != nil {
		return nil, err
	}
	return warehouse.RowsOf(res), nil
}
