package edgelog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

// dataLines numbers the lines a parser must account for, read
// independently of the parsers: split on "\n" (a final "\r" dropped),
// without blank lines and, for CloudFront, without "#" directives.
func dataLines(input string, directives bool) []int {
	var out []int
	lines := strings.Split(input, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if strings.Trim(l, " \t") == "" || (directives && strings.HasPrefix(l, "#")) {
			continue
		}
		out = append(out, i+1)
	}
	return out
}

// checkAccounted is the fuzz invariant: no panic, and every data line is
// exactly one row (with its source_line) or one reject; the Reader's
// Tally, which ingest checks at run time, says the same.
func checkAccounted(t *testing.T, f Format, input string) {
	rd, err := NewReader(f, strings.NewReader(input), Options{Object: "fuzz", BatchRows: 7})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for {
		rec, rej, err := rd.Next()
		for _, r := range rej {
			if len(r.Raw) > MaxRaw || r.Reason == "" {
				t.Fatalf("reject %+v: raw %d bytes, reason %q", r.Line, len(r.Raw), r.Reason)
			}
			seen = append(seen, r.Line)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < int(rec.NumCols()); c++ {
			if rec.Column(c).Len() != int(rec.NumRows()) {
				t.Fatalf("column %s has %d values for %d rows", rec.ColumnName(c), rec.Column(c).Len(), rec.NumRows())
			}
		}
		for _, v := range rowMaps([]arrow.Record{rec}) {
			seen = append(seen, int(v["source_line"].(float64)))
		}
		rec.Release()
	}
	sortInts(seen)
	want := dataLines(input, f == CloudFront)
	checkTally(t, rd.Tally(), input, len(want))
	if len(seen) != len(want) {
		t.Fatalf("rows+rejects cover lines %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("rows+rejects cover lines %v, want %v", seen, want)
		}
	}
}

// checkTally: every line counted once, as a row, a reject or skipped.
func checkTally(t *testing.T, tl Tally, input string, data int) {
	t.Helper()
	lines := strings.Count(input, "\n")
	if input != "" && !strings.HasSuffix(input, "\n") {
		lines++
	}
	if tl.Lines != int64(lines) || tl.Rows+tl.Rejects != int64(data) || tl.Lines != tl.Rows+tl.Rejects+tl.Skipped {
		t.Fatalf("tally %+v, want %d lines of which %d rows or rejects", tl, lines, data)
	}
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		for _, l := range bytes.Split(b, []byte("\n")) {
			f.Add(string(l))
		}
	}
	f.Add("")
	f.Add("\n\r\n \t\n")
}

func FuzzCloudFront(f *testing.F) {
	seed(f, "cloudfront.log")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, CloudFront, s) })
}

func FuzzCloudFrontJSON(f *testing.F) {
	seed(f, "cloudfront-v2.ndjson")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, CloudFrontV2JSON, s) })
}

func FuzzCloudflare(f *testing.F) {
	seed(f, "cloudflare.ndjson")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, Cloudflare, s) })
}

func FuzzALB(f *testing.F) {
	seed(f, "alb.log")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, ALB, s) })
}

func FuzzCombined(f *testing.F) {
	seed(f, "combined.log")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, Combined, s) })
}

func FuzzFastly(f *testing.F) {
	seed(f, "fastly.log")
	f.Fuzz(func(t *testing.T, s string) { checkAccounted(t, Fastly, s) })
}

// FuzzParquet: any bytes read as Parquet give rows, rejects or an error,
// never a panic.
func FuzzParquet(f *testing.F) {
	f.Add(v2Parquet(f))
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := NewReader(CloudFrontV2Parquet, bytes.NewReader(b), Options{})
		if err != nil {
			return
		}
		defer rd.Close()
		for {
			if _, _, err := rd.Next(); err != nil {
				return
			}
		}
	})
}

// FuzzDetect: Detect never panics, and names a format or says why not.
func FuzzDetect(f *testing.F) {
	seed(f, "cloudfront.log", "alb.log", "combined.log", "fastly.log", "cloudflare.ndjson")
	f.Fuzz(func(t *testing.T, s string) {
		if f, err := Detect("obj", []byte(s)); (f == "") == (err == nil) {
			t.Fatalf("Detect: %q, %v", f, err)
		}
	})
}

// TestSplit checks the SWAR field splitter against strings.Split on lines
// whose tabs fall at every offset of a word.
func TestSplit(t *testing.T) {
	c := newCloudFront()
	for _, s := range []string{"x", "\t", "a\tb", "\t\t\t\t\t\t\t\t\t", "0123456\t89abcdef\t",
		"\x89\t\x09\xff\t", strings.Repeat("ab\tc", 20), strings.Repeat("\t", 40)} {
		c.vals.reset()
		n := c.split([]byte(s))
		want := strings.Split(s, "\t")
		if n != len(want) {
			t.Fatalf("%q: %d fields, want %d", s, n, len(want))
		}
		for k, w := range want {
			if k >= len(c.pos) || c.pos[k] < 0 {
				continue
			}
			if got := c.vals.v[c.pos[k]]; got == nil || string(got) != w {
				t.Fatalf("%q: field %d = %q, want %q", s, k, got, w)
			}
		}
	}
}
