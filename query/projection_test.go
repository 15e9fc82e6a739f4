package query_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/query"
)

// TestOneClientReadsTheClientProjection: questions about one client read
// the p_ip projection (sql/schema/007, sorted by client_ip), not every row
// of the window: client_ip is not in the table's sort key, so without it
// `hits IP last 24h` reads the whole day.
func TestOneClientReadsTheClientProjection(t *testing.T) {
	for _, p := range []string{"hits 104.2.1.1 last 24h", "hits 2001:db8:bad::/48 last 24h", "top requests by path for 104.2.1.1 last 24h"} {
		t.Run(p, func(t *testing.T) { checkReads(t, p, "p_ip") })
	}
}

// TestTopReadsTheHourlyRollups: a top (or traffic) phrase over whole hours
// reads an hourly rollup (sql/schema/003, 009, 010), not the rows; with a filter
// the rollup holds (a path, a host) too.
func TestTopReadsTheHourlyRollups(t *testing.T) {
	for p, proj := range map[string]string{
		"traffic /donate last 24h":                    "p_hour_path",
		"graph bytes last 24h":                        "p_hour_status",
		"top requests by path last 24h":               "p_hour_path",
		"top 404 by path on www.example.org last 24h": "p_hour_path",
		"top errors by status last 24h":               "p_hour_path",
		"top bytes by host last 24h":                  "p_hour_path",
		"top requests by method for /donate last 24h": "p_hour_path",
		"top 5xx by pop last 24h":                     "p_hour_edge",
		"top requests by country last 24h":            "p_hour_edge",
		"top requests by asn last 24h":                "p_hour_edge",
		"top requests by referer last 24h":            "p_hour_client",
		"top errors by user agent last 24h":           "p_hour_client",
		"slowest paths last 24h":                      "p_hour_latency",
	} {
		t.Run(p, func(t *testing.T) { checkReads(t, p, proj) })
	}
}

// checkReads asserts that the plan of phrase reads projection proj.
func checkReads(t *testing.T, phrase, proj string) {
	t.Helper()
	w, _ := load(t)
	e := query.New(w, query.Options{})
	sqlText, params, err := e.Explain(phrase, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := w.Query(context.Background(), "EXPLAIN projections = 1\n"+sqlText, params)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, row := range plan.Rows {
		fmt.Fprintln(&text, row...)
	}
	if !strings.Contains(text.String(), "ReadFromMergeTree ("+proj+")") {
		t.Errorf("the plan does not read %s:\n%s", proj, text.String())
	}
}
