package stats

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// CostOff is the infrastructure section's line when Cost Explorer is not
// read.
const CostOff = "cost: not read (schedules.stats.cost_explorer is off; Cost Explorer calls are billed)"

// costs reads the week's AWS cost by service from Cost Explorer: the
// total and every service, costliest first (the post shows the Top).
// The week's days are its local dates, Monday to Monday; Cost Explorer's
// days are UTC days. Ad-hoc windows are not read: Cost Explorer answers
// whole days, and every call is billed. A failure stores nothing.
func (s *Stats) costs(ctx context.Context, w Window) ([]Figure, []string, error) {
	switch {
	case s.o.Costs == nil:
		return nil, []string{CostOff}, nil
	case w.Kind != Week:
		return nil, []string{"cost: in the weekly post only (Cost Explorer answers whole days, and its calls are billed)"}, nil
	}
	start, end := w.Since.In(s.o.Location), w.Until.In(s.o.Location)
	c, err := s.o.Costs.Costs(ctx, start, end)
	if err != nil {
		return nil, nil, err
	}
	m := costMetric(c.Currency)
	services := make([]string, 0, len(c.Services))
	total := 0.0
	for svc, v := range c.Services {
		services = append(services, svc)
		total += v
	}
	sort.Slice(services, func(i, j int) bool {
		a, b := c.Services[services[i]], c.Services[services[j]]
		return a > b || a == b && services[i] < services[j]
	})
	fs := []Figure{{Metric: m, Value: total}}
	for _, svc := range services {
		fs = append(fs, Figure{Metric: m, Dimension: svc, Value: c.Services[svc]})
	}
	note := fmt.Sprintf("AWS cost: Cost Explorer's unblended cost of %s to %s (UTC days), %d account(s)",
		start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly), len(c.Accounts))
	if n := len(services) - s.o.Top; n > 0 {
		rest := 0.0
		for _, svc := range services[s.o.Top:] {
			rest += c.Services[svc]
		}
		note += fmt.Sprintf("; %d more service(s): %s", n, m.Unit.Format(rest))
	}
	if c.Estimated {
		note += "; some days are still estimated"
	}
	if len(services) == 0 {
		note += "; no cost reported"
	}
	return fs, []string{note}, nil
}

// costMetric is AWSCost labelled with its currency.
func costMetric(currency string) Metric {
	m := AWSCost
	if currency != "" {
		m.Label += " (" + currency + ")"
	}
	return m
}

// isCost says whether f is an AWS cost figure, whatever its currency.
func isCost(f Figure) bool { return f.Metric.Name == AWSCost.Name }

// costRows are how many services the trend table shows.
func costRows(top int, fs []Figure) map[int]bool {
	rows := map[int]bool{}
	n := 0
	for i, f := range fs {
		if isCost(f) && f.Dimension != "" && n < top {
			rows[i] = true
			n++
		}
	}
	return rows
}

// rowLabel is a trend table row's label: a service under the total.
func rowLabel(f Figure) string {
	if f.Dimension == "" {
		return f.Metric.Label
	}
	return "  " + strings.TrimSpace(f.Dimension)
}
