package warehousetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

const suiteTable = `CREATE TABLE IF NOT EXISTS suite_insert
(
    ts DateTime64(3, 'UTC'), ip IPv6, status UInt16, host LowCardinality(String),
    fwd Nullable(IPv6), took Float32
)
ENGINE = MergeTree ORDER BY ts
SETTINGS non_replicated_deduplication_window = 1000`

func suiteRecord(n int) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "ip", Type: arrow.BinaryTypes.String},
		{Name: "status", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "host", Type: arrow.BinaryTypes.String},
		{Name: "fwd", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "took", Type: arrow.PrimitiveTypes.Float32},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	base := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(i) * time.Millisecond).UnixMilli()))
		ip := "10.0.0.1"
		if i%2 == 1 {
			ip = "2001:db8::7"
		}
		b.Field(1).(*array.StringBuilder).Append(ip)
		b.Field(2).(*array.Uint16Builder).Append(uint16(200 + 100*(i%4)))
		b.Field(3).(*array.StringBuilder).Append("h" + string(rune('a'+i%3)))
		if i%5 == 0 {
			b.Field(4).(*array.StringBuilder).Append("198.51.100.9")
		} else {
			b.Field(4).AppendNull()
		}
		b.Field(5).(*array.Float32Builder).Append(float32(i%7) / 4)
	}
	return b.NewRecord()
}

func testInsert(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	if err := w.Exec(ctx, suiteTable, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Exec(context.Background(), "DROP TABLE IF EXISTS suite_insert", nil) })
	rec := suiteRecord(10_000)
	defer rec.Release()
	for _, tok := range []string{"batch-1", "batch-1", "batch-2"} {
		if err := w.Insert(ctx, "suite_insert", rec, warehouse.InsertOptions{DedupToken: tok}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Query(ctx, `SELECT count(), countIf(status = 500), countIf(fwd IS NULL),
		countIf(toString(ip) = '::ffff:10.0.0.1'), sum(took), min(ts), uniqExact(host) FROM suite_insert`, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Independent expectations: two distinct tokens of 10,000 rows each.
	r := res.Rows[0]
	sumTook := 0.0
	for i := 0; i < 10_000; i++ {
		sumTook += float64(float32(i%7) / 4)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"rows", r[0], uint64(20_000)},
		{"status 500", r[1], uint64(2 * 2500)},
		{"null fwd", r[2], uint64(2 * 8000)},
		{"ipv4 rows", r[3], uint64(2 * 5000)},
		{"sum took", r[4], 2 * sumTook},
		{"min ts", r[5], time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
		{"hosts", r[6], uint64(3)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func testLimits(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	_, err := w.Query(ctx, "CREATE TABLE suite_ro (x UInt8) ENGINE = Memory", nil, warehouse.ReadOnly())
	if err == nil {
		w.Exec(ctx, "DROP TABLE IF EXISTS suite_ro", nil)
		t.Fatal("readonly query created a table")
	}
	res, err := w.Query(ctx, "SELECT number FROM numbers(100000)", nil, warehouse.MaxRows(1000))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Rows); n < 1000 || n >= 100000 {
		t.Fatalf("MaxRows(1000) returned %d rows", n)
	}
	_, err = w.Query(ctx, "SELECT count() FROM numbers_mt(1e12) WHERE sleepEachRow(0) = 0 AND rand() = 0", nil, warehouse.Timeout(1))
	if err == nil || !strings.Contains(err.Error(), "TIMEOUT") && !strings.Contains(err.Error(), "imeout") && !strings.Contains(err.Error(), "159") {
		t.Fatalf("Timeout(1) on a huge scan: %v", err)
	}
}

func testMigrate(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	ms, err := sql.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	applied, err := sql.Migrate(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v", applied)
	}
	res, err := w.Query(ctx, "SELECT count() FROM schema_migrations FINAL", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0][0].(uint64); got != uint64(len(ms)) {
		t.Fatalf("schema_migrations has %d rows for %d files", got, len(ms))
	}
	if _, err := w.Query(ctx, "SELECT ts, client_ip, status, path FROM requests LIMIT 1", nil); err != nil {
		t.Fatalf("requests not queryable: %v", err)
	}
}

// testInsertMany: three records as one insert make one part with every
// row, and the same token again adds nothing.
func testInsertMany(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	if err := w.Exec(ctx, strings.Replace(suiteTable, "suite_insert", "suite_many", 1), nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Exec(context.Background(), "DROP TABLE IF EXISTS suite_many", nil) })
	recs := []arrow.Record{suiteRecord(1000), suiteRecord(2500), suiteRecord(40)}
	for _, r := range recs {
		defer r.Release()
	}
	for range 2 {
		if err := w.InsertMany(ctx, "suite_many", recs, warehouse.InsertOptions{DedupToken: "many-1"}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Query(ctx, "SELECT (SELECT count() FROM suite_many), (SELECT count() FROM system.parts "+
		"WHERE active AND database = currentDatabase() AND table = 'suite_many')", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rows, parts := res.Rows[0][0], res.Rows[0][1]; rows != uint64(1000+2500+40) || parts != uint64(1) {
		t.Errorf("got %v rows in %v parts, want 3540 rows in 1 part", rows, parts)
	}
}
