package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse"
)

// vanishingDir is a folder whose entry gone is removed right after the
// first listing: it is listed, then cannot be opened.
type vanishingDir struct {
	*ingest.Dir
	gone string
}

func (v vanishingDir) List(ctx context.Context, fn func(ingest.Object) error) error {
	err := v.Dir.List(ctx, fn)
	if rerr := os.Remove(filepath.Join(v.Root, v.gone)); rerr != nil && !os.IsNotExist(rerr) {
		return rerr
	}
	return err
}

// skippedEntries fills dir with entries that cannot be loaded and returns
// each one's key and the reason it must be recorded with. Permission
// checks do not hold for root: the unreadable file and folder are made
// only for another user.
func skippedEntries(t *testing.T, dir, target string) map[string]string {
	t.Helper()
	want := map[string]string{
		"link.gz":          ingest.SkipSymlink,
		"dangling.gz":      ingest.SkipSymlink,
		"pipe.gz":          ingest.SkipNotFile,
		"notes/readme.txt": ingest.SkipNotLog,
		"vanishing.gz":     ingest.SkipUnreadable,
	}
	if err := os.Symlink(target, filepath.Join(dir, "link.gz")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "no-such-file.gz"), filepath.Join(dir, "dangling.gz")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.gz"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "notes", "readme.txt"), []byte("hello there\nthis is no access log\n"))
	writeFile(t, filepath.Join(dir, "vanishing.gz"), []byte("listed, then removed"))
	if os.Geteuid() == 0 {
		t.Log("running as root: permission-denied entries are not made (root reads them)")
		return want
	}
	writeFile(t, filepath.Join(dir, "locked.gz"), []byte("no read permission"))
	writeFile(t, filepath.Join(dir, "private", "inside.gz"), []byte("in a folder without permissions"))
	for _, p := range []string{"locked.gz", "private"} {
		if err := os.Chmod(filepath.Join(dir, p), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, p), 0o755) })
	}
	want["locked.gz"], want["private/"] = ingest.SkipUnreadable, ingest.SkipUnreadable
	return want
}

// TestSkippedEntriesAreRecordedOnce watches a folder holding symlinks, a
// named pipe, a file that is no log and a file removed between listing and
// reading: the good objects load; each entry is recorded skipped with its
// reason, shown and counted by ingest status, and logged once however
// many passes see it.
func TestSkippedEntriesAreRecordedOnce(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	good, lines := goodObjects(t, dir, 2000, 2, 301)
	var target string
	for k := range good {
		target = filepath.Join(dir, k)
	}
	want := skippedEntries(t, dir, target)
	src := vanishingDir{Dir: &ingest.Dir{Root: dir}, gone: "vanishing.gz"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	passes := 0
	after := func(time.Duration) <-chan time.Time {
		if passes++; passes == 3 {
			cancel()
			return make(chan time.Time)
		}
		c := make(chan time.Time, 1)
		c <- clock()
		return c
	}
	var log bytes.Buffer
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: src, Interval: time.Minute, Clock: clocktest.Funcs{NowFunc: clock, AfterFunc: after}, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, "good objects", stored(t, w), byStatus(lines))
	checkSkipped(t, w, want)
	for k := range want {
		if n := strings.Count(log.String(), "skipped "+k+" "); n != 1 {
			t.Errorf("%s logged skipped %d times in 3 passes, want once:\n%s", k, n, log.String())
		}
	}
	if strings.Contains(log.String(), "ingest: ") || strings.Contains(log.String(), "failed") {
		t.Errorf("a pass or an object failed:\n%s", log.String())
	}

	// A later run sees every entry but the removed one, loads nothing,
	// counts them and succeeds.
	wk = run(t, ingest.Options{Warehouse: w, Source: src})
	if n, s := wk.Summary().Loaded.Load(), wk.Summary().NotLoadable.Load(); n != 0 || s != int64(len(want)-1) {
		t.Errorf("later run: loaded %d, %d not loadable; want 0 and %d", n, s, len(want)-1)
	}
	checkSkipped(t, w, want)
}

// checkSkipped checks the manifest and ingest status against want (key →
// reason): each entry skipped with its reason and an explanation, counted,
// and listed with the reason.
func checkSkipped(t *testing.T, w warehouse.Warehouse, want map[string]string) {
	t.Helper()
	res, err := w.Query(context.Background(), "SELECT key, reason, error FROM ingest_objects FINAL WHERE status = 'skipped'", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(want) {
		t.Errorf("%d entries recorded skipped, want %d: %v", len(res.Rows), len(want), res.Rows)
	}
	for _, r := range res.Rows {
		k, reason, detail := r[0].(string), r[1].(string), r[2].(string)
		if want[k] != reason || detail == "" {
			t.Errorf("%s: skipped as %q (%q), want %q with an explanation", k, reason, detail, want[k])
		}
	}
	r, err := ingest.Status(context.Background(), w, clock())
	if err != nil {
		t.Fatal(err)
	}
	if r.ByStatus[ingest.StatusSkipped] != uint64(len(want)) || len(r.Failures) != 0 {
		t.Errorf("ingest status counts %v, failures %v; want %d skipped", r.ByStatus, r.Failures, len(want))
	}
	var out bytes.Buffer
	r.Write(&out)
	for k, reason := range want {
		if !strings.Contains(out.String(), k+"  "+reason+": ") {
			t.Errorf("ingest status does not list %s as %s:\n%s", k, reason, out.String())
		}
	}
}
