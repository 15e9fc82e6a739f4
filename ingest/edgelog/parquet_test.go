package edgelog

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// v2Parquet writes a CloudFront standard logging v2 Parquet object with
// these rows: string, integer, float and timestamp columns, a column edgelog
// does not read, and nulls.
func v2Parquet(t testing.TB) []byte {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "c-ip", Type: arrow.BinaryTypes.String},
		{Name: "sc-status", Type: arrow.PrimitiveTypes.Int64},
		{Name: "cs-method", Type: arrow.BinaryTypes.String},
		{Name: "cs-uri-stem", Type: arrow.BinaryTypes.String},
		{Name: "sc-bytes", Type: arrow.PrimitiveTypes.Int64},
		{Name: "time-taken", Type: arrow.PrimitiveTypes.Float64},
		{Name: "cs(User-Agent)", Type: arrow.BinaryTypes.String},
		{Name: "x-edge-location", Type: arrow.BinaryTypes.String},
		{Name: "ssl-cipher", Type: arrow.BinaryTypes.String},
		{Name: "c-country", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "asn", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x-forwarded-for", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	ts := b.Field(0).(*array.TimestampBuilder)
	ts.Append(arrow.Timestamp(time.Date(2026, 11, 22, 10, 0, 0, 250e6, time.UTC).UnixMilli()))
	ts.Append(arrow.Timestamp(time.Date(2026, 11, 22, 10, 0, 1, 0, time.UTC).UnixMilli()))
	ts.Append(arrow.Timestamp(time.Date(2026, 11, 22, 10, 0, 2, 0, time.UTC).UnixMilli()))
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"192.0.2.1", "bad", "2001:db8::44"}, nil)
	b.Field(2).(*array.Int64Builder).AppendValues([]int64{200, 200, 0}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"GET", "GET", "POST"}, nil)
	b.Field(4).(*array.StringBuilder).AppendValues([]string{"/", "/x", "/api"}, nil)
	b.Field(5).(*array.Int64Builder).AppendValues([]int64{1000, 1, 0}, nil)
	b.Field(6).(*array.Float64Builder).AppendValues([]float64{0.01, 0, 2.5}, nil)
	b.Field(7).(*array.StringBuilder).AppendValues([]string{"Mozilla/5.0%20X", "-", "-"}, nil)
	b.Field(8).(*array.StringBuilder).AppendValues([]string{"FRA56-P1", "FRA56-P1", "IAD89-C3"}, nil)
	b.Field(9).(*array.StringBuilder).AppendValues([]string{"TLS_AES_128_GCM_SHA256", "-", "-"}, nil)
	b.Field(10).(*array.StringBuilder).AppendValues([]string{"DE", "", ""}, []bool{true, false, false})
	b.Field(11).(*array.Int64Builder).AppendValues([]int64{3320, 0, 0}, []bool{true, false, false})
	b.Field(12).(*array.StringBuilder).AppendValues([]string{"", "", "203.0.113.5"}, []bool{false, false, true})
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquet(t *testing.T) {
	data := v2Parquet(t)
	want := []map[string]any{
		{"ts": "2026-11-22T10:00:00.250Z", "client_ip": "192.0.2.1", "status": 200.0, "method": "GET", "path": "/",
			"bytes_out": 1000.0, "time_taken": 0.01, "user_agent": "Mozilla/5.0 X", "edge_location": "FRA56-P1",
			"country": "DE", "asn": 3320.0, "source_line": 1.0},
		{"ts": "2026-11-22T10:00:02.000Z", "client_ip": "2001:db8::44", "status": 0.0, "method": "POST", "path": "/api",
			"time_taken": 2.5, "edge_location": "IAD89-C3", "forwarded_for": "203.0.113.5",
			"forwarded_ip": "203.0.113.5", "source_line": 3.0},
	}
	// A seekable input is read in place; a stream is spooled first.
	inputs := map[string]io.Reader{"seekable": bytes.NewReader(data), "stream": io.MultiReader(bytes.NewReader(data))}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			rd, err := NewReader(CloudFrontV2Parquet, in, Options{Object: "obj", RequestIDs: true})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			var recs []arrow.Record
			var rejects []Reject
			for {
				rec, rej, err := rd.Next()
				rejects = append(rejects, rej...)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, rec)
			}
			got := rowMaps(recs)
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range want {
				w := defaults(CloudFrontV2Parquet)
				for k, v := range want[i] {
					w[k] = v
				}
				if d := diffMaps(got[i], w); d != "" {
					t.Errorf("row %d:\n%s", i, d)
				}
			}
			if len(rejects) != 1 || rejects[0].Line != 2 || rejects[0].Reason != `bad c-ip "bad"` ||
				!bytes.Contains([]byte(rejects[0].Raw), []byte("c-ip=bad")) {
				t.Errorf("rejects %+v, want row 2 for its c-ip", rejects)
			}
		})
	}
}

func TestParquetSpoolLimit(t *testing.T) {
	data := v2Parquet(t)
	_, err := NewReader(CloudFrontV2Parquet, io.MultiReader(bytes.NewReader(data)),
		Options{SpoolLimit: int64(len(data) - 1), SpoolDir: t.TempDir()})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}

func TestParquetNotParquet(t *testing.T) {
	_, err := NewReader(CloudFrontV2Parquet, bytes.NewReader([]byte("#Version: 1.0\n")), Options{})
	if err == nil {
		t.Fatal("no error for a text object read as Parquet")
	}
}
