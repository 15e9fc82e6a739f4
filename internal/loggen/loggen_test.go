package loggen

import (
	"bufio"
	"compress/gzip"
	"os"
	"strings"
	"testing"
	"time"
)

func TestGenerateIsDeterministicAndOrdered(t *testing.T) {
	o := Options{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Lines: 20_000, Seed: 7}
	a, b := Generate(o), Generate(o)
	if len(a) != 20_000 {
		t.Fatalf("got %d lines", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("line %d differs between runs", i)
		}
		if i > 0 && a[i].TS.Before(a[i-1].TS) {
			t.Fatalf("line %d goes back in time", i)
		}
		if a[i].TS.Before(o.Start) || !a[i].TS.Before(o.Start.Add(24*time.Hour)) {
			t.Fatalf("line %d at %v outside the day", i, a[i].TS)
		}
	}
	var v6, noisy, fivexx, zero int
	for _, l := range a {
		if strings.Contains(l.ClientIP, ":") {
			v6++
		}
		if l.ClientIP == NoisyClients[0].ip {
			noisy++
		}
		if l.Status >= 500 {
			fivexx++
		}
		if l.Status == 0 {
			zero++
		}
	}
	if v6 == 0 || noisy < 300 || fivexx == 0 || zero == 0 {
		t.Fatalf("traffic lacks variety: ipv6=%d noisy=%d 5xx=%d 000=%d", v6, noisy, fivexx, zero)
	}
}

func TestWriteObjects(t *testing.T) {
	dir := t.TempDir()
	objs, err := WriteObjects(dir, Options{Lines: 10_001}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 4 {
		t.Fatalf("got %d objects", len(objs))
	}
	total := 0
	for _, o := range objs {
		f, err := os.Open(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(gz)
		n, fields := 0, 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#Fields: ") {
				fields = len(strings.Fields(strings.TrimPrefix(line, "#Fields: ")))
				continue
			}
			if strings.HasPrefix(line, "#") {
				continue
			}
			if got := len(strings.Split(line, "\t")); got != fields {
				t.Fatalf("%s: line has %d fields, header %d", o.Path, got, fields)
			}
			n++
		}
		f.Close()
		if n != o.Lines {
			t.Fatalf("%s: %d lines, reported %d", o.Path, n, o.Lines)
		}
		total += n
	}
	if total != 10_001 {
		t.Fatalf("total %d", total)
	}
}

func BenchmarkEach(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Each(Options{Lines: 100_000}, func(*Line) {})
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "lines/s")
}
