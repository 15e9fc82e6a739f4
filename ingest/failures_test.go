package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
)

// instant is an After that fires at once and records the waits asked.
type instant struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (i *instant) after(d time.Duration) <-chan time.Time {
	i.mu.Lock()
	i.waits = append(i.waits, d)
	i.mu.Unlock()
	c := make(chan time.Time, 1)
	c <- time.Time{}
	return c
}

func TestMalformedLinesGoToRejectsAndCount(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	lines := loggen.Generate(loggen.Options{Start: day, Lines: 500, Seed: 51})
	var buf bytes.Buffer
	cw, _ := loggen.NewCloudFrontWriter(&buf, "E2OPSBOTDEMO")
	bad := map[int]string{} // line number in the file → raw line
	lineNo := 2             // the #Version and #Fields lines
	for i := range lines {
		if i%100 == 50 {
			cw.Flush()
			raw := fmt.Sprintf("2026-11-22\t10:00:00\tFRA56-P2\t100\tnot-an-ip-%d\tGET", i)
			buf.WriteString(raw + "\n")
			lineNo++
			bad[lineNo] = raw
		}
		cw.Write(&lines[i])
		cw.Flush()
		lineNo++
	}
	writeFile(t, filepath.Join(dir, "E2OPSBOTDEMO.2026-11-22-10.00000001"), buf.Bytes())
	wk := run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000})
	if got := wk.Summary().Rejected.Load(); got != int64(len(bad)) {
		t.Errorf("summary counts %d rejected lines, want %d", got, len(bad))
	}
	sameCounts(t, "good lines", stored(t, w), byStatus(lines))
	if n := scalar(t, w, "SELECT rejected FROM ingest_objects FINAL"); n != uint64(len(bad)) {
		t.Errorf("manifest counts %d rejected lines, want %d", n, len(bad))
	}
	res, err := w.Query(context.Background(), "SELECT line, raw, reason FROM ingest_rejects ORDER BY line", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(bad) {
		t.Fatalf("%d rejects stored, want %d", len(res.Rows), len(bad))
	}
	for _, r := range res.Rows {
		line, raw, reason := int(r[0].(uint64)), r[1].(string), r[2].(string)
		if bad[line] != raw || reason == "" {
			t.Errorf("reject at line %d: raw %q reason %q; want raw %q", line, raw, reason, bad[line])
		}
	}
}

func TestTruncatedGzipIsRetriedWithBackoffThenReported(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	traffic(t, dir, 3000, 1, 61)
	broken := gz(t, loggen.Generate(loggen.Options{Start: day, Lines: 5000, Seed: 62}))
	key := "E2OPSBOTDEMO.2026-11-22-23.0badf00d.gz"
	writeFile(t, filepath.Join(dir, key), broken[:len(broken)*7/10])
	clk := &instant{}
	o := ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000, MaxAttempts: 3, Backoff: time.Second, Clock: clocktest.Funcs{NowFunc: clock, AfterFunc: clk.after}, Once: true}
	wk, _ := ingest.New(o)
	err := wk.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 objects failed") {
		t.Fatalf("run: %v, want 1 objects failed", err)
	}
	if len(clk.waits) != 2 || clk.waits[0] < 900*time.Millisecond || clk.waits[0] > 1100*time.Millisecond ||
		clk.waits[1] < 1800*time.Millisecond || clk.waits[1] > 2200*time.Millisecond {
		t.Errorf("backoff waits %v, want about [1s 2s]", clk.waits)
	}
	st, attempts := manifestStatus(t, w, key)
	if st != ingest.StatusFailed || attempts != 3 {
		t.Errorf("status %q after %d attempts, want failed after 3", st, attempts)
	}
	if e := scalar(t, w, "SELECT countIf(error LIKE '%"+key+"%' AND error LIKE '%EOF%') FROM ingest_objects FINAL"); e != 1 {
		t.Error("the manifest error does not name the object and the truncation")
	}
	// Rows before the truncation, in whole chunks, once however many tries.
	n := scalar(t, w, "SELECT count() FROM requests WHERE source_object = '"+key+"'")
	u := scalar(t, w, "SELECT uniqExact(source_line) FROM requests WHERE source_object = '"+key+"'")
	if n == 0 || n%1000 != 0 || n >= 5000 || u != n {
		t.Errorf("truncated object: %d rows (%d distinct lines) stored, want whole chunks of 1000, each once", n, u)
	}
	// A later run does not try again: the failure stands until re-ingested.
	wk, _ = ingest.New(o)
	if err := wk.Run(context.Background()); err != nil || wk.Summary().Loaded.Load() != 0 {
		t.Errorf("second run: %v, loaded %d", err, wk.Summary().Loaded.Load())
	}
	if _, a := manifestStatus(t, w, key); a != 3 {
		t.Errorf("second run tried again: %d attempts", a)
	}
	r, err := ingest.Status(context.Background(), w, clock())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failures) != 1 || r.Failures[0].Key != key || r.ByStatus["done"] != 1 {
		t.Errorf("status report: failures %v, by status %v", r.Failures, r.ByStatus)
	}
}

func TestUnknownFormatIsSkippedNamedAndTheRestLoads(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	lines := traffic(t, dir, 2000, 2, 71)
	writeFile(t, filepath.Join(dir, "notes", "readme.txt"), []byte("hello there\nthis is no access log\n"))
	wk, _ := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Once: true, MaxAttempts: 5, Clock: clocktest.Funcs{NowFunc: clock}})
	if err := wk.Run(context.Background()); err != nil {
		t.Fatalf("run: %v (an entry that is no log is skipped, not a failure)", err)
	}
	sameCounts(t, "the readable objects", stored(t, w), byStatus(lines))
	st, attempts := manifestStatus(t, w, "notes/readme.txt")
	if st != ingest.StatusSkipped || attempts != 1 {
		t.Errorf("status %q after %d attempts, want skipped after one", st, attempts)
	}
	res, _ := w.Query(context.Background(), "SELECT reason, error FROM ingest_objects FINAL WHERE key = 'notes/readme.txt'", nil)
	if r, msg := res.Rows[0][0].(string), res.Rows[0][1].(string); r != ingest.SkipNotLog || !strings.Contains(msg, "notes/readme.txt") || !strings.Contains(msg, "unknown log format") {
		t.Errorf("reason %q, error %q: does not say which object and why", r, msg)
	}
}

func TestReingestReplacesRowsNeverDoubles(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	lines := traffic(t, dir, 6000, 2, 81)
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000})
	key := firstName(t, dir)
	for i := 0; i < 2; i++ {
		wk := run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000, Reingest: []string{key}})
		if n := wk.Summary().Loaded.Load(); n != 1 {
			t.Fatalf("re-ingest %d loaded %d objects, want 1", i+1, n)
		}
		sameCounts(t, fmt.Sprintf("after re-ingest %d", i+1), stored(t, w), byStatus(lines))
	}
	if g := scalar(t, w, "SELECT generation FROM ingest_objects FINAL WHERE key = '"+key+"'"); g != 3 {
		t.Errorf("generation %d after two re-ingests, want 3", g)
	}
	wk, _ := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Reingest: []string{"no/such.gz"}, Clock: clocktest.Funcs{NowFunc: clock}})
	if err := wk.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no/such.gz") {
		t.Errorf("re-ingest of a missing object: %v", err)
	}
}

func TestSinceUntilAndRetention(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	o := loggen.Options{Start: day, Lines: 8000, Seed: 91}
	objs, err := loggen.WriteObjects(dir, o, 4)
	if err != nil {
		t.Fatal(err)
	}
	lines := loggen.Generate(o)
	since, until := day.Add(6*time.Hour), day.Add(18*time.Hour)
	var want []loggen.Line
	at := 0
	for _, ob := range objs { // an object's time is the hour of its first line
		h := lines[at].TS.Truncate(time.Hour)
		if !h.Before(since) && h.Before(until) {
			want = append(want, lines[at:at+ob.Lines]...)
		}
		at += ob.Lines
	}
	if len(want) == 0 || len(want) == len(lines) {
		t.Fatalf("window selects %d of %d lines: pick another", len(want), len(lines))
	}
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Since: since, Until: until})
	sameCounts(t, "window", stored(t, w), byStatus(want))

	fresh(t)
	later := func() time.Time { return day.AddDate(0, 0, 10) }
	wk := run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, RetentionDays: 7, Clock: clocktest.Funcs{NowFunc: later}})
	if n := wk.Summary().Expired.Load(); n != 4 {
		t.Errorf("%d objects expired, want 4", n)
	}
	if n := scalar(t, w, "SELECT count() FROM requests"); n != 0 {
		t.Errorf("%d rows of expired objects stored", n)
	}
	if n := scalar(t, w, "SELECT count() FROM ingest_objects FINAL WHERE status = 'expired' AND error LIKE '%retention_days=7%'"); n != 4 {
		t.Errorf("manifest records %d expired objects with the reason, want 4", n)
	}
}
