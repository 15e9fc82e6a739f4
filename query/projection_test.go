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
	w, _ := load(t)
	e := query.New(w, query.Options{})
	now := day.Add(24 * time.Hour)
	for _, p := range []string{"hits 104.2.1.1 last 24h", "hits 2001:db8:bad::/48 last 24h", "top requests by path for 104.2.1.1 last 24h"} {
		t.Run(p, func(t *testing.T) {
			sqlText, params, err := e.Explain(p, now)
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
			if !strings.Contains(text.String(), "ReadFromMergeTree (p_ip)") {
				t.Errorf("the plan does not read p_ip:\n%s", text.String())
			}
		})
	}
}
