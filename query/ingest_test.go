package query_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/loggen"
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
	rec := record(lines)
	defer rec.Release()
	if err := w.Insert(context.Background(), "requests", rec, warehouse.InsertOptions{}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	loaded = w
	return w, lines
}

func record(ls []loggen.Line) arrow.Record {
	str := func(n string) arrow.Field { return arrow.Field{Name: n, Type: arrow.BinaryTypes.String} }
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		str("client_ip"), {Name: "status", Type: arrow.PrimitiveTypes.Uint16}, str("method"), str("host"),
		str("path"), str("query"), str("user_agent"), str("referer"),
		{Name: "bytes_in", Type: arrow.PrimitiveTypes.Uint64}, {Name: "bytes_out", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "time_taken", Type: arrow.PrimitiveTypes.Float32}, str("edge_location"), str("cache_result"),
		str("protocol"), str("http_version"), str("forwarded_for"), str("request_id"), str("source"),
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, l := range ls {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(l.TS.UnixMilli()))
		for i, s := range map[int]string{1: l.ClientIP, 3: l.Method, 4: l.Host, 5: l.Path, 6: l.Query, 7: l.UserAgent,
			8: l.Referer, 12: l.EdgeLocation, 13: l.ResultType, 14: l.Protocol, 15: l.HTTPVersion, 16: l.ForwardedFor,
			17: l.RequestID, 18: "test"} {
			b.Field(i).(*array.StringBuilder).Append(s)
		}
		b.Field(2).(*array.Uint16Builder).Append(uint16(l.Status))
		b.Field(9).(*array.Uint64Builder).Append(uint64(l.BytesIn))
		b.Field(10).(*array.Uint64Builder).Append(uint64(l.BytesOut))
		b.Field(11).(*array.Float32Builder).Append(float32(l.TimeTaken))
	}
	return b.NewRecord()
}

// displayIP is how answers show a client: IPv4 without ::ffff:.
func displayIP(s string) string { return netip.MustParseAddr(s).Unmap().String() }
