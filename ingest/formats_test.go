package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
)

// golden is an edgelog golden file: a sample log and, written by hand, the
// rows and rejects it holds.
type golden struct {
	Format  string            `json:"format"`
	Input   string            `json:"input"`
	Rows    []json.RawMessage `json:"rows"`
	Rejects []json.RawMessage `json:"rejects"`
}

// TestEveryFormatDetectedAndLoaded loads each format's golden sample,
// stored plain, gzipped, as multi-member gzip and zstd, with the format
// detected per object, and checks rows and rejects against the goldens.
func TestEveryFormatDetectedAndLoaded(t *testing.T) {
	w := fresh(t)
	files, _ := filepath.Glob(filepath.Join("edgelog", "testdata", "*.json"))
	if len(files) < 6 {
		t.Fatalf("found %d golden files, want one per format", len(files))
	}
	dir := t.TempDir()
	want := map[string]golden{}
	for i, f := range files {
		var g golden
		b, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(b, &g)
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(f), g.Input))
		if err != nil {
			t.Fatal(err)
		}
		name, body := compress(t, i, g.Input, raw)
		writeFile(t, filepath.Join(dir, name), body)
		want[name] = g
	}
	wk, _ := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Once: true, Clock: clocktest.Funcs{NowFunc: clock}})
	if err := wk.Run(context.Background()); err != nil {
		t.Errorf("run: %v", err)
	}
	for name, g := range want {
		res, err := w.Query(context.Background(), "SELECT format, rows, rejected, status, error FROM ingest_objects FINAL WHERE key = {k:String}", opsbot.Params{"k": name})
		if err != nil || len(res.Rows) != 1 {
			t.Fatalf("%s: manifest: %v", name, err)
		}
		r := res.Rows[0]
		if r[0] != g.Format || r[1].(uint64) != uint64(len(g.Rows)) || r[2].(uint64) != uint64(len(g.Rejects)) {
			t.Errorf("%s: %v format, %v rows, %v rejected (%v %v); want %s, %d, %d", name, r[0], r[1], r[2], r[3], r[4], g.Format, len(g.Rows), len(g.Rejects))
		}
		if n := scalar(t, w, "SELECT count() FROM requests WHERE source_object = '"+name+"'"); n != uint64(len(g.Rows)) {
			t.Errorf("%s: %d rows stored, want %d", name, n, len(g.Rows))
		}
		if n := scalar(t, w, "SELECT count() FROM ingest_rejects WHERE object = '"+name+"'"); n != uint64(len(g.Rejects)) {
			t.Errorf("%s: %d rejects stored, want %d", name, n, len(g.Rejects))
		}
	}
}

// compress stores raw plain, gzipped, as two gzip members, or zstd.
func compress(t *testing.T, i int, name string, raw []byte) (string, []byte) {
	var buf bytes.Buffer
	switch i % 4 {
	case 0:
		return name, raw
	case 1, 2:
		parts := [][]byte{raw}
		if i%4 == 2 { // two members, as ALB writes them
			cut := bytes.IndexByte(raw[len(raw)/2:], '\n') + len(raw)/2 + 1
			parts = [][]byte{raw[:cut], raw[cut:]}
		}
		for _, p := range parts {
			z := gzip.NewWriter(&buf)
			z.Write(p)
			z.Close()
		}
		return name + ".gz", buf.Bytes()
	}
	z, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	z.Write(raw)
	z.Close()
	return name + ".zst", buf.Bytes()
}
