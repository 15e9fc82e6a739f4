package report_test

import (
	"context"
	"testing"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// BenchmarkDailyAnalysis builds the report (every query and the chart)
// over a generated day of 200,000 requests and the week before it.
//
//	go test -run XXX -bench DailyAnalysis ./schedules/report/
func BenchmarkDailyAnalysis(b *testing.B) {
	w := warehousetest.Embedded(b)
	warehousetest.Truncate(b, w, "requests")
	for d := 0; d <= 7; d++ {
		n := 200_000
		if d > 0 {
			n = 50_000
		}
		warehousetest.InsertLines(b, w, loggen.Generate(loggen.Options{Start: day.AddDate(0, 0, -d), Lines: n, Seed: uint64(d + 1)}))
	}
	j := report.New(report.Options{Warehouse: w})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := j.Build(context.Background(), day); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
}
