package report_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// partialDay is the report of a day whose logs start at 06:00: ingest
// began that morning.
func partialDay(t *testing.T) string {
	t.Helper()
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "ingest_objects")
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: day.Add(6 * time.Hour), Duration: 18 * time.Hour, Lines: 20_000, Seed: 3}))
	r, err := report.New(report.Options{Warehouse: w, Top: 5}).Build(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Render(r)
	return rep.Text
}

// TestReportSaysWhenDataCoversPartOfTheDay: a day the logs cover from
// 06:00 only is reported as such, not as a full day.
func TestReportSaysWhenDataCoversPartOfTheDay(t *testing.T) {
	out := partialDay(t)
	if first, _, _ := strings.Cut(out, "\n"); first != "*Partial day:* data covers 06:00–24:00 UTC only; the figures below are for that part of the day" {
		t.Errorf("first line %q", first)
	}
}

// TestReportTablesHaveHeaders: each small table of the daily report opens
// with a header row naming its columns, and status 000 reads 000 and is
// explained once.
func TestReportTablesHaveHeaders(t *testing.T) {
	out := partialDay(t)
	for title, header := range map[string]string{
		"Top 4xx clients":   `^ip\s+requests\s+bytes\s+top path$`,
		"Top 4xx paths":     `^path\s+requests`,
		"Browsers":          `^browser\s+requests`,
		"Slowest paths":     `^path\s+p95\s+p50\s+requests$`,
		"Time distribution": `^hour\s+requests\s+errors$`,
	} {
		_, rest, ok := strings.Cut(out, "*"+title)
		lines := strings.Split(rest, "\n")
		if !ok || len(lines) < 3 || lines[1] != "```" || !regexp.MustCompile(header).MatchString(lines[2]) {
			t.Errorf("%s: no header row %s in\n%s", title, header, strings.Join(lines[:min(len(lines), 5)], "\n"))
		}
	}
	if !regexp.MustCompile(`\*Status codes\* .*000 [0-9,]+`).MatchString(out) || regexp.MustCompile(`\*Status codes\*.*[*·] 0 `).MatchString(out) || strings.Count(out, text.NoResponse) != 1 {
		t.Errorf("status 000:\n%s", out)
	}
}
