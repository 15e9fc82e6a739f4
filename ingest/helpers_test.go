package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// day is the generated traffic's day; clock is "now" for the worker.
var (
	day   = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	clock = func() time.Time { return day.Add(36 * time.Hour) }
)

// fresh returns the shared engine with empty ingest tables.
func fresh(t *testing.T) warehouse.Warehouse {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests", "ingest_objects", "ingest_rejects")
	return w
}

// traffic writes n lines as objs gzipped CloudFront objects into dir and
// returns the lines, for independent counting.
func traffic(t *testing.T, dir string, n, objs int, seed uint64) []loggen.Line {
	t.Helper()
	o := loggen.Options{Start: day, Lines: n, Seed: seed}
	if _, err := loggen.WriteObjects(dir, o, objs); err != nil {
		t.Fatal(err)
	}
	return loggen.Generate(o)
}

// byStatus counts lines per status from the raw generated lines.
func byStatus(lines []loggen.Line) map[string]uint64 {
	m := map[string]uint64{}
	for _, l := range lines {
		m[fmt.Sprint(l.Status)]++
	}
	return m
}

// stored counts stored requests per status.
func stored(t *testing.T, w warehouse.Warehouse) map[string]uint64 {
	t.Helper()
	res, err := w.Query(context.Background(), "SELECT toString(status), count() FROM requests GROUP BY status", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for _, r := range res.Rows {
		m[r[0].(string)] = r[1].(uint64)
	}
	return m
}

func sameCounts(t *testing.T, what string, got, want map[string]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d statuses stored, want %d: got %v want %v", what, len(got), len(want), got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: status %s: %d rows stored, want %d", what, k, got[k], v)
		}
	}
}

func scalar(t *testing.T, w warehouse.Warehouse, sql string) uint64 {
	t.Helper()
	res, err := w.Query(context.Background(), sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch v := res.Rows[0][0].(type) {
	case uint64:
		return v
	case int64:
		return uint64(v)
	}
	t.Fatalf("%s: got %T", sql, res.Rows[0][0])
	return 0
}

func run(t *testing.T, o ingest.Options) *ingest.Worker {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clocktest.Funcs{NowFunc: clock}
	}
	o.Once = true
	wk, err := ingest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	return wk
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
