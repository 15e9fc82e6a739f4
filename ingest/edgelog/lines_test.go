package edgelog

import (
	"strings"
	"testing"
)

// TestLongLine: a line longer than DefaultMaxLine is one reject holding its first
// KB, and the lines around it are read.
func TestLongLine(t *testing.T) {
	ok := "192.0.2.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n"
	long := "192.0.2.2 - - [22/Nov/2026:10:00:00 +0000] \"GET /" + strings.Repeat("a", DefaultMaxLine) + " HTTP/1.1\" 200 1\n"
	recs, rejects := readAll(t, Combined, ok+long+ok, Options{})
	rows := rowMaps(recs)
	if len(rows) != 2 || rows[0]["source_line"] != 1.0 || rows[1]["source_line"] != 3.0 {
		t.Fatalf("rows %v, want lines 1 and 3", rows)
	}
	if len(rejects) != 1 || rejects[0].Line != 2 || !strings.Contains(rejects[0].Reason, "longer than") ||
		rejects[0].Raw != long[:MaxRaw] {
		t.Fatalf("rejects %+v, want line 2 with its first KB", rejects)
	}
}

// TestSourceOption: Options.Source names the source column; by default it
// is the format.
func TestSourceOption(t *testing.T) {
	line := "192.0.2.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n"
	recs, _ := readAll(t, Combined, line, Options{Source: "nginx-eu", Object: "o"})
	if got := rowMaps(recs)[0]["source"]; got != "nginx-eu" {
		t.Fatalf("source %v, want nginx-eu", got)
	}
}

// TestBatchSizes: rows split into batches of BatchRows, in order.
func TestBatchSizes(t *testing.T) {
	line := "192.0.2.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n"
	recs, _ := readAll(t, Combined, strings.Repeat(line, 10), Options{BatchRows: 4})
	var sizes []int64
	for _, r := range recs {
		sizes = append(sizes, r.NumRows())
	}
	if len(sizes) != 3 || sizes[0] != 4 || sizes[1] != 4 || sizes[2] != 2 {
		t.Fatalf("batch sizes %v, want [4 4 2]", sizes)
	}
	for i, row := range rowMaps(recs) {
		if row["source_line"] != float64(i+1) {
			t.Fatalf("row %d has source_line %v", i, row["source_line"])
		}
	}
}

// A Cloudflare line whose deprecated OriginResponseTime does not parse is
// a reject naming it, not a row with a made-up time (it was overwritten).
func TestCloudflareBadOriginResponseTime(t *testing.T) {
	line := `{"ClientIP":"203.0.113.9","ClientRequestHost":"a.example","ClientRequestMethod":"GET","ClientRequestURI":"/x","EdgeResponseStatus":200,"EdgeStartTimestamp":"2026-11-24T05:00:00Z","OriginResponseTime":"soon"}` + "\n"
	recs, rejects := readAll(t, Cloudflare, line, Options{})
	rows := 0
	for _, r := range recs {
		rows += int(r.NumRows())
	}
	if rows != 0 || len(rejects) != 1 || !strings.Contains(rejects[0].Reason, "OriginResponseTime") {
		t.Fatalf("rows %d, rejects %+v", rows, rejects)
	}
}
