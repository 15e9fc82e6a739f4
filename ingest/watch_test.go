package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
)

// TestWatchRelistsTheLookBackWindow runs the worker as serve does: the
// first pass loads everything; later passes, one interval apart, load what
// was delivered within the look-back window, late objects included.
func TestWatchRelistsTheLookBackWindow(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	first := traffic(t, filepath.Join(dir, "a"), 3000, 2, 111)
	now := clock()
	late := loggen.Generate(loggen.Options{Start: day, Lines: 700, Seed: 112})  // delivered late, within the window
	stale := loggen.Generate(loggen.Options{Start: day, Lines: 500, Seed: 113}) // older than the window
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	after := func(d time.Duration) <-chan time.Time {
		calls++
		if d != time.Minute {
			t.Errorf("waits %s between passes, want the 1m interval", d)
		}
		switch calls {
		case 1: // between pass 1 and 2: two objects arrive
			put(t, filepath.Join(dir, "b", "E2OPSBOTDEMO.2026-11-22-03.0000000a.gz"), gz(t, late), now.Add(-20*time.Hour))
			put(t, filepath.Join(dir, "b", "E2OPSBOTDEMO.2026-11-22-02.0000000b.gz"), gz(t, stale), now.Add(-50*time.Hour))
		default:
			cancel()
			return make(chan time.Time)
		}
		c := make(chan time.Time, 1)
		c <- now
		return c
	}
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Interval: time.Minute,
		Lookback: 48 * time.Hour, Clock: clocktest.Funcs{NowFunc: clock, AfterFunc: after}})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("%d passes, want 2", calls)
	}
	sameCounts(t, "after two passes", stored(t, w), byStatus(append(first, late...)))
}

func put(t *testing.T, path string, b []byte, mtime time.Time) {
	writeFile(t, path, b)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestProgressBarForBackfills(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	traffic(t, dir, 4000, 4, 121)
	var bar, log bytes.Buffer
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Progress: &bar, Log: &log})
	if !strings.Contains(bar.String(), "objects 4/4") || !strings.Contains(bar.String(), "4000 rows") {
		t.Errorf("progress bar lacks objects and rows:\n%q", bar.String())
	}
	if strings.Count(log.String(), "\n") != 1 || !strings.Contains(log.String(), "loaded 4 objects, 4000 rows") {
		t.Errorf("with a bar, the log should hold one summary line:\n%s", log.String())
	}
	log.Reset()
	fresh(t)
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Log: &log})
	if n := strings.Count(log.String(), "loaded E2OPSBOTDEMO."); n != 4 {
		t.Errorf("without a bar, want one line per object, got:\n%s", log.String())
	}
}
