package query_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// day is the generated day every test asks about.
var day = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

var (
	lines  []loggen.Line
	loaded warehouse.Warehouse
)

// load generates a day of traffic and inserts it into the shared embedded
// engine once, through an Arrow record shaped like the requests table (the
// real ingest pipeline is tested elsewhere).
func load(t *testing.T) (warehouse.Warehouse, []loggen.Line) {
	t.Helper()
	if loaded != nil {
		return loaded, lines
	}
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests")
	lines = loggen.Generate(loggen.Options{Start: day, Duration: 24 * time.Hour, Lines: 120_000, Seed: 7})
	rec := warehousetest.Record(lines)
	defer rec.Release()
	if err := w.Insert(context.Background(), "requests", rec, warehouse.InsertOptions{}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	loaded = w
	return w, lines
}

// displayIP is how answers show a client: IPv4 without ::ffff:.
func displayIP(s string) string { return netip.MustParseAddr(s).Unmap().String() }
