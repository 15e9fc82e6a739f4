// Package source gives the web pages their content: the daily analysis
// (schedules/report's figures and chart) and the answers of the query
// engine (its table, a chart for a series, the SQL and its
// clickhouse-client line, as `explain` gives), with charts as SVG.
package source

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/web"
)

// Options are the engine, the warehouse the report reads and how the
// report is configured (schedules.report).
type Options struct {
	Engine    *query.Engine
	Warehouse warehouse.Warehouse
	Location  *time.Location // nil: UTC
	Top       int            // the report's top lists (0: the report's default)
}

// Source implements web.Source.
type Source struct {
	o      Options
	report *report.Job
}

var _ web.Source = (*Source)(nil)

// New is the pages' source over o.
func New(o Options) *Source {
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Source{o: o, report: report.New(report.Options{Warehouse: o.Warehouse, Location: o.Location, Top: o.Top, TopClients: o.Engine})}
}

// Location is where days start.
func (s *Source) Location() *time.Location { return s.o.Location }

// Daily is the analysis of day as the Slack post shows it, the chart in
// SVG instead of the attached PNG.
func (s *Source) Daily(ctx context.Context, day time.Time) (*web.Page, error) {
	r, err := s.report.Build(ctx, day)
	if err != nil {
		return nil, err
	}
	reply := report.Render(r)
	reply.Files = nil
	svg, err := report.ChartModel(r).SVG()
	if err != nil {
		return nil, err
	}
	return &web.Page{Reply: reply, SVG: svg}, nil
}

// Ask answers phrase at now ("explain PHRASE" is PHRASE: the page shows
// the SQL anyway).
func (s *Source) Ask(ctx context.Context, phrase string, now time.Time) (*web.Page, error) {
	if w := strings.Fields(phrase); len(w) > 1 && strings.EqualFold(w[0], "explain") {
		phrase = strings.Join(w[1:], " ")
	}
	pl, err := s.o.Engine.Plan(phrase, now)
	if err != nil {
		return nil, err
	}
	n, err := s.o.Engine.Named(pl.Query)
	if err != nil {
		return nil, err
	}
	r, err := s.o.Engine.Ask(ctx, phrase, now)
	if err != nil {
		return nil, err
	}
	p := &web.Page{Reply: *r, SQL: n.SQL, Command: n.CommandLine(pl.Params)}
	p.Reply.Files = nil
	for _, q := range n.Params {
		p.Params += fmt.Sprintf("%-12s %-22s %q\n", q.Name, q.Type, pl.Params[q.Name])
	}
	if pl.Kind == "graph" && r.Table != nil && len(r.Table.Rows) > 0 {
		if p.SVG, err = s.chart(pl, r.Table); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Source) chart(pl *query.Plan, res *opsbot.Result) ([]byte, error) {
	c, err := query.ChartModel(pl, res, s.o.Location)
	if err != nil {
		return nil, err
	}
	return c.SVG()
}
