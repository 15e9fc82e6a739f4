package rules_test

import (
	"context"
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/rules"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// BenchmarkEvaluate runs one evaluation of the built-in rules (each query,
// silences, state) over a generated day of 200,000 requests.
//
//	go test -run XXX -bench Evaluate ./schedules/rules/
func BenchmarkEvaluate(b *testing.B) {
	w := warehousetest.Embedded(b)
	warehousetest.Truncate(b, w, "requests", "alert_state", "silences")
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	warehousetest.InsertLines(b, w, loggen.Generate(loggen.Options{Start: start, Lines: 200_000}))
	rs, err := rules.Load(config.Default().Schedules.Health)
	if err != nil {
		b.Fatal(err)
	}
	eng := rules.New(rules.Options{Rules: rs, Warehouse: w,
		Store: rules.NewStore(w), Sender: &discard{}, GroupWait: 30 * time.Second})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Run(context.Background(), start.Add(16*time.Hour+time.Duration(i)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/evaluation")
}
