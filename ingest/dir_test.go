package ingest_test

import (
	"path/filepath"
	"testing"

	"github.com/opsbot/opsbot/ingest"
)

func TestDirLoadsEveryLineOnce(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	lines := traffic(t, filepath.Join(dir, "2026", "11"), 12_345, 3, 11)
	wk := run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000})
	if n := wk.Summary().Loaded.Load(); n != 3 {
		t.Fatalf("loaded %d objects, want 3", n)
	}
	sameCounts(t, "first run", stored(t, w), byStatus(lines))

	wk = run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000})
	if n := wk.Summary().Loaded.Load(); n != 0 {
		t.Fatalf("second run loaded %d objects, want 0", n)
	}
	sameCounts(t, "second run", stored(t, w), byStatus(lines))
	if n := scalar(t, w, "SELECT count() FROM ingest_objects FINAL WHERE status = 'done' AND rows > 0"); n != 3 {
		t.Fatalf("manifest has %d done objects, want 3", n)
	}
}
