package namedq_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/schedules/internal/namedq"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestEveryScheduleQueryRuns runs each health_ and daily_ query with every
// parameter it declares bound, on the migrated embedded engine.
func TestEveryScheduleQueryRuns(t *testing.T) {
	w := warehousetest.Embedded(t)
	r := &namedq.Runner{W: w, Files: sql.QueryFiles()}
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	params := opsbot.Params{
		"since": warehouse.TimeParam(day), "until": warehouse.TimeParam(day.Add(24 * time.Hour)),
		"baseline_since": warehouse.TimeParam(day.Add(-7 * 24 * time.Hour)),
		"host":           "", "path": "/donate", "baseline_seconds": "3600", "min_errors": "50", "min_requests": "20",
		"status_min": "0", "status_max": "999", "static": "0", "limit": "5", "baseline_limit": "50",
		"what": "os", "by": "referrer",
	}
	names, _ := fs.Glob(sql.QueryFiles(), "*.sql")
	n := 0
	for _, f := range names {
		name := strings.TrimSuffix(f, ".sql")
		if !strings.HasPrefix(name, "health_") && !strings.HasPrefix(name, "daily_") {
			continue
		}
		n++
		if _, err := r.Run(context.Background(), name, params); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n < 15 {
		t.Fatalf("only %d schedule queries found", n)
	}
}

func TestMissingTableIsErrNoTable(t *testing.T) {
	w := warehousetest.Embedded(t)
	ok, err := (&namedq.Runner{W: w}).TableExists(context.Background(), "no_such_table")
	if err != nil || ok {
		t.Fatalf("exists=%v err=%v", ok, err)
	}
	ok, err = (&namedq.Runner{W: w}).TableExists(context.Background(), "requests")
	if err != nil || !ok {
		t.Fatalf("requests exists=%v err=%v", ok, err)
	}
	r := &namedq.Runner{W: w, Files: fstest.MapFS{"q.sql": {Data: []byte("SELECT count() FROM no_such_table")}}}
	if _, err := r.Run(context.Background(), "q", nil); !errors.Is(err, namedq.ErrNoTable) {
		t.Fatalf("err %v, want ErrNoTable", err)
	}
}
