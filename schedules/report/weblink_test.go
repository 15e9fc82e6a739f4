package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestPostLinksToItsPage: with web.base_url set, the daily post links to
// the day's page.
func TestPostLinksToItsPage(t *testing.T) {
	w := warehousetest.Embedded(t)
	j := report.New(report.Options{Warehouse: w, WebURL: "https://opsbot.example.com"})
	notices, err := j.Run(context.Background(), time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if c := notices[0].Reply.Context; !strings.HasSuffix(c, " · as a page: https://opsbot.example.com/reports/daily/2026-11-22") {
		t.Errorf("context %q", c)
	}
}
