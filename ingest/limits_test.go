package ingest_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/ingest/edgelog"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
)

// TestJunkObjectsCountEveryRejectStoreTheFirstN: objects of three good
// lines and junk lines are done with their rows stored, every reject
// counted in the manifest and only the first max_reject_lines stored — for
// an object read in chunks (5,000 rejects, more than one Next holds) and
// for a pooled one.
func TestJunkObjectsCountEveryRejectStoreTheFirstN(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	const keep = 700
	var want []loggen.Line
	junk := map[string]int{"E2OPSBOTDEMO.2026-11-22-10.0000000a.gz": 5000, "E2OPSBOTDEMO.2026-11-22-11.0000000b.gz": 900}
	for name, n := range junk {
		o := loggen.Options{Start: day, Lines: 3, Seed: uint64(n)}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := loggen.WriteJunk(zw, o, n, 300); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		writeFile(t, filepath.Join(dir, name), buf.Bytes())
		want = append(want, loggen.Generate(o)...)
	}
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000, MaxRejectLines: keep})
	sameCounts(t, "good lines", stored(t, w), byStatus(want))
	for name, n := range junk {
		q := "FROM ingest_objects FINAL WHERE key = '" + name + "'"
		if st := scalar(t, w, "SELECT status = 'done' "+q); st != 1 {
			t.Errorf("%s: not recorded done", name)
		}
		if got := scalar(t, w, "SELECT rejected "+q); got != uint64(n) {
			t.Errorf("%s: manifest counts %d rejects, want %d", name, got, n)
		}
		r := "FROM ingest_rejects WHERE object = '" + name + "'"
		if got := scalar(t, w, "SELECT count() "+r); got != keep {
			t.Errorf("%s: %d rejects stored, want the first %d", name, got, keep)
		}
		// Lines 1-2 are directives, 3-5 rows: the first reject is line 6.
		if lo, hi := scalar(t, w, "SELECT min(line) "+r), scalar(t, w, "SELECT max(line) "+r); lo != 6 || hi != 6+keep-1 {
			t.Errorf("%s: stored reject lines %d..%d, want 6..%d", name, lo, hi, 6+keep-1)
		}
	}
}

// TestCorruptParquetIsFailedNotDone: a 5,000-row Parquet object whose
// dictionary page header claims a negative uncompressed size (it loaded
// as "0 rows, 0 rejected", done), and one whose footer declares a row
// more than it holds, are failed with the reason, never recorded done.
func TestCorruptParquetIsFailedNotDone(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	o := loggen.Options{Start: day, Lines: 5000, Seed: 71}
	negative, n, err := loggen.Parquet(o)
	if err != nil || n != 5000 {
		t.Fatal(n, err)
	}
	if err := loggen.CorruptDictPage(negative, 1); err != nil {
		t.Fatal(err)
	}
	short, _, _ := loggen.Parquet(o)
	// FileMetaData.num_rows (Thrift compact i64, zigzag 5000 = 0x90 0x4e)
	// comes before the row groups' own counts.
	i := bytes.Index(short[len(short)-2048:], []byte{0x16, 0x90, 0x4e})
	if i < 0 {
		t.Fatal("num_rows not found in the footer")
	}
	short[len(short)-2048+i+1] = 0x92 // 5001
	writeFile(t, filepath.Join(dir, "negative.parquet"), negative)
	writeFile(t, filepath.Join(dir, "short.parquet"), short)
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Once: true, MaxAttempts: 1, Clock: clocktest.Funcs{NowFunc: clock}})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "2 objects failed") {
		t.Fatalf("run: %v, want 2 objects failed", err)
	}
	for key, reason := range map[string]string{"negative.parquet": "uncompressed size", "short.parquet": "the footer declares 5001"} {
		res, err := w.Query(context.Background(), "SELECT status, error FROM ingest_objects FINAL WHERE key = '"+key+"'", nil)
		if err != nil || len(res.Rows) != 1 {
			t.Fatalf("%s: %v %v", key, res, err)
		}
		if st, msg := res.Rows[0][0].(string), res.Rows[0][1].(string); st != ingest.StatusFailed || !strings.Contains(msg, reason) {
			t.Errorf("%s: %s (%q), want failed naming %q", key, st, msg, reason)
		}
	}
}

// TestHostileRejectsCountedExactlyTextBounded: an object of three good
// lines and 20,000 junk lines of 999 bytes is done with its three rows;
// the manifest counts every reject; the first max_reject_lines are stored
// with their line numbers, but only the first edgelog.MaxRejectText bytes
// of their text, exactly as written — the rest say in their reason that
// their text was not kept.
func TestHostileRejectsCountedExactlyTextBounded(t *testing.T) {
	const junk, width, keep = 20_000, 999, 3_000
	w := fresh(t)
	dir := t.TempDir()
	o := loggen.Options{Start: day, Lines: 3, Seed: 16}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := loggen.WriteJunk(zw, o, junk, width); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	const name = "E2OPSBOTDEMO.2026-11-22-10.00000016.gz"
	writeFile(t, filepath.Join(dir, name), buf.Bytes())
	run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, BatchRows: 1000, MaxRejectLines: keep})
	sameCounts(t, "good lines", stored(t, w), byStatus(loggen.Generate(o)))
	if got := scalar(t, w, "SELECT rejected FROM ingest_objects FINAL WHERE key = '"+name+"' AND status = 'done'"); got != junk {
		t.Errorf("manifest counts %d rejects, want %d", got, junk)
	}
	withText := edgelog.MaxRejectText / (width - 1) // each junk line is width-1 bytes of text
	for what, want := range map[string]uint64{
		"count()":          keep,
		"min(line)":        6, // lines 1-2 are directives, 3-5 rows
		"max(line)":        6 + keep - 1,
		"sum(length(raw))": uint64(withText * (width - 1)),
		"countIf(raw = repeat('x', " + strconv.Itoa(width-1) + "))":                                                 uint64(withText),
		"countIf(raw = '' AND endsWith(reason, 'text not kept (past the object''s first 1 MiB of rejected text)'))": uint64(keep - withText),
	} {
		if got := scalar(t, w, "SELECT "+what+" FROM ingest_rejects WHERE object = '"+name+"'"); got != want {
			t.Errorf("stored rejects: %s = %d, want %d", what, got, want)
		}
	}
}
