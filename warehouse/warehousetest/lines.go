package warehousetest

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse"
)

// Tests put generated traffic into requests through the warehouse's Arrow
// insert (not the ingest pipeline, which is tested on its own), and compute
// expected answers from the same []loggen.Line independently.

var linesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "client_ip", Type: arrow.BinaryTypes.String},
	{Name: "status", Type: arrow.PrimitiveTypes.Uint16},
	{Name: "method", Type: arrow.BinaryTypes.String},
	{Name: "host", Type: arrow.BinaryTypes.String},
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "query", Type: arrow.BinaryTypes.String},
	{Name: "user_agent", Type: arrow.BinaryTypes.String},
	{Name: "referer", Type: arrow.BinaryTypes.String},
	{Name: "bytes_in", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "bytes_out", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "time_taken", Type: arrow.PrimitiveTypes.Float32},
	{Name: "edge_location", Type: arrow.BinaryTypes.String},
	{Name: "cache_result", Type: arrow.BinaryTypes.String},
	{Name: "protocol", Type: arrow.BinaryTypes.String},
	{Name: "http_version", Type: arrow.BinaryTypes.String},
	{Name: "forwarded_for", Type: arrow.BinaryTypes.String},
	{Name: "request_id", Type: arrow.BinaryTypes.String},
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "source_line", Type: arrow.PrimitiveTypes.Uint32},
}, nil)

// Record is generated lines as an Arrow batch with the requests table's column names.
func Record(lines []loggen.Line) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, linesSchema)
	defer b.Release()
	str := func(i int, s string) { b.Field(i).(*array.StringBuilder).Append(s) }
	for n, l := range lines {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(l.TS.UnixMilli()))
		str(1, l.ClientIP)
		b.Field(2).(*array.Uint16Builder).Append(uint16(l.Status))
		str(3, l.Method)
		str(4, l.Host)
		str(5, l.Path)
		str(6, l.Query)
		str(7, l.UserAgent)
		str(8, l.Referer)
		b.Field(9).(*array.Uint64Builder).Append(uint64(l.BytesIn))
		b.Field(10).(*array.Uint64Builder).Append(uint64(l.BytesOut))
		b.Field(11).(*array.Float32Builder).Append(float32(l.TimeTaken))
		str(12, l.EdgeLocation)
		str(13, l.ResultType)
		str(14, l.Protocol)
		str(15, l.HTTPVersion)
		str(16, l.ForwardedFor)
		str(17, l.RequestID)
		str(18, "test")
		b.Field(19).(*array.Uint32Builder).Append(uint32(n + 1))
	}
	return b.NewRecord()
}

// InsertLines adds generated lines to requests in batches.
func InsertLines(t testing.TB, w warehouse.Warehouse, lines []loggen.Line) {
	t.Helper()
	const batch = 50_000
	for i := 0; i < len(lines); i += batch {
		rec := Record(lines[i:min(i+batch, len(lines))])
		err := w.Insert(context.Background(), "requests", rec, warehouse.InsertOptions{})
		rec.Release()
		if err != nil {
			t.Fatalf("insert requests: %v", err)
		}
	}
}

// CountRequests is the number of rows in requests, to check an insert landed.
func CountRequests(t testing.TB, w warehouse.Warehouse) uint64 {
	t.Helper()
	res, err := w.Query(context.Background(), "SELECT count() FROM requests", nil)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := res.Rows[0][0].(uint64)
	if !ok {
		t.Fatalf("count is %T", res.Rows[0][0])
	}
	return n
}
