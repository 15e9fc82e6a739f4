package query_test

import (
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
)

// BenchmarkChart draws a day of hourly points, the shape of "graph 5xx last 24h".
func BenchmarkChart(b *testing.B) {
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	pl, err := query.New(nil, query.Options{}).Plan("graph 5xx last 24h", start.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	r := &opsbot.Result{Columns: []opsbot.Column{{Name: "time"}, {Name: "matched"}}}
	for i := range 24 {
		r.Rows = append(r.Rows, []any{start.Add(time.Duration(i) * time.Hour), uint64(100 + i*i)})
	}
	for b.Loop() {
		if _, err := query.Chart(pl, r, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
