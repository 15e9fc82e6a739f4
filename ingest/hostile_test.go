package ingest_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse"
)

// hostileKeys are object keys under cf/ holding every byte class S3 allows:
// quotes, backslashes, tab, newline, CR, %XX, spaces, unicode, braces (the
// parameter syntax), shell and array syntax, every ASCII byte 0x01–0x7F in
// one key, and a key near S3's 1024-byte limit. In a folder, keys are file
// paths: no NUL, '/' only between folders, no name over 255 bytes; there a
// key also holds every byte 0x80–0xFF (not UTF-8, which S3 keys must be).
func hostileKeys(folder bool) []string {
	ks := []string{
		"cf/E2OPSBOTDEMO.2026-11-22-01.a'b.gz", `cf/quo"ted".gz`, `cf/back\slash.gz`, `cf/trailing\`,
		`cf/\'both\'.gz`, `cf/\\double\\.gz`, "cf/tab\there.gz", "cf/new\nline.gz", "cf/cr\rhere.gz",
		"cf/pct%2F%00%41%zz.gz", "cf/ sp aces  here .gz", "cf/ünï-日本語-😀.gz", "cf/{k:String}{k0:Array(String)}.gz",
		"cf/$(id)`id`;rm -rf x.gz", "cf/arr['x','y'],[].gz", `cf/\N\0\t.gz`, "cf/E2'); DROP TABLE requests; --.gz",
	}
	var ascii []byte
	for b := 1; b < 0x80; b++ {
		// The fake S3 lists keys in XML 1.0 and ignores encoding-type=url:
		// of the C0 controls only tab, LF and CR survive it (the URL-encoded
		// listing of real S3 is TestS3ListDecodesURLEncodedKeys's).
		xml := b >= 0x20 || b == '\t' || b == '\n' || b == '\r'
		if folder && b != '/' || !folder && xml {
			ascii = append(ascii, byte(b))
		}
	}
	ks = append(ks, "cf/E"+string(ascii))
	if folder {
		var high []byte
		for b := 0x80; b <= 0xff; b++ {
			high = append(high, byte(b))
		}
		ks = append(ks, "cf/E"+string(high))
	}
	long := make([]string, 5)
	for i := range long {
		long[i] = strings.Repeat("é", 100)
	}
	return append(ks, "cf/"+strings.Join(long, "/")+"/x.gz") // 1012 bytes
}

// hostileObjects writes a gzipped CloudFront object for each key with put
// and returns the rows each must load, counted from the generated lines.
func hostileObjects(t *testing.T, keys []string, put func(key string, body []byte)) (map[string]uint64, []loggen.Line) {
	t.Helper()
	want := map[string]uint64{}
	var all []loggen.Line
	for i, k := range keys {
		lines := loggen.Generate(loggen.Options{Start: day, Lines: 40 + i, Seed: uint64(700 + i)})
		put(k, gz(t, lines))
		want[k] += uint64(len(lines))
		all = append(all, lines...)
	}
	return want, all
}

// goodObjects writes n ordinary CloudFront objects into dir.
func goodObjects(t *testing.T, dir string, lines, n int, seed uint64) (map[string]uint64, []loggen.Line) {
	t.Helper()
	o := loggen.Options{Start: day, Lines: lines, Seed: seed}
	objs, err := loggen.WriteObjects(dir, o, n)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{}
	for _, ob := range objs {
		want[filepath.Base(ob.Path)] = uint64(ob.Lines)
	}
	return want, loggen.Generate(o)
}

// loadedOnce checks that every key of want (and no other) has want's rows
// in requests and a done manifest row with that count. Keys are compared
// as hex so that no byte is lost in a result's encoding.
func loadedOnce(t *testing.T, w warehouse.Warehouse, what string, want map[string]uint64) {
	t.Helper()
	hexed := map[string]uint64{}
	for k, n := range want {
		hexed[strings.ToUpper(hex.EncodeToString([]byte(k)))] = n
	}
	res, err := w.Query(context.Background(), "SELECT hex(source_object), count() FROM requests GROUP BY source_object", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(want) {
		t.Errorf("%s: rows of %d objects stored, want %d", what, len(res.Rows), len(want))
	}
	for _, r := range res.Rows {
		if k := r[0].(string); hexed[k] != r[1].(uint64) {
			t.Errorf("%s: object %q: %d rows stored, want %d", what, unhex(k), r[1], hexed[k])
		}
	}
	res, err = w.Query(context.Background(), "SELECT hex(key), status, rows FROM ingest_objects FINAL", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(want) {
		t.Errorf("%s: the manifest holds %d objects, want %d", what, len(res.Rows), len(want))
	}
	for _, r := range res.Rows {
		if k := r[0].(string); r[1] != ingest.StatusDone || hexed[k] != r[2].(uint64) {
			t.Errorf("%s: manifest: %q %s with %d rows, want done with %d", what, unhex(k), r[1], r[2], hexed[k])
		}
	}
}

func unhex(s string) string {
	b, _ := hex.DecodeString(s)
	return string(b)
}

// listedDone checks that ingest status counts n objects done and nothing
// else.
func listedDone(t *testing.T, w warehouse.Warehouse, n int) {
	t.Helper()
	r, err := ingest.Status(context.Background(), w, clock())
	if err != nil {
		t.Fatal(err)
	}
	if r.ByStatus[ingest.StatusDone] != uint64(n) || len(r.ByStatus) != 1 || len(r.Failures) != 0 {
		t.Errorf("ingest status: %v, failures %v; want %d done", r.ByStatus, r.Failures, n)
	}
	var out bytes.Buffer
	r.Write(&out)
	if !strings.Contains(out.String(), "objects:") {
		t.Errorf("ingest status:\n%s", out.String())
	}
}

func merge(a, b map[string]uint64) map[string]uint64 {
	m := map[string]uint64{}
	for _, x := range []map[string]uint64{a, b} {
		for k, v := range x {
			m[k] += v
		}
	}
	return m
}

func TestHostileKeysLoadOnceFromAFolder(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	good, goodLines := goodObjects(t, filepath.Join(dir, "cf"), 3000, 3, 201)
	want := map[string]uint64{}
	for k, n := range good {
		want["cf/"+k] = n
	}
	bad, badLines := hostileObjects(t, hostileKeys(true), func(k string, b []byte) {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(k)), b)
	})
	want = merge(want, bad)
	src := &ingest.Dir{Root: dir}
	wk := run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 1000})
	if n := wk.Summary().Loaded.Load(); n != int64(len(want)) {
		t.Errorf("loaded %d objects, want %d", n, len(want))
	}
	sameCounts(t, "first run", stored(t, w), byStatus(append(goodLines, badLines...)))
	loadedOnce(t, w, "first run", want)
	listedDone(t, w, len(want))

	wk = run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 1000})
	if n, s := wk.Summary().Loaded.Load(), wk.Summary().Skipped.Load(); n != 0 || s != int64(len(want)) {
		t.Errorf("second run loaded %d objects and found %d already loaded, want 0 and %d", n, s, len(want))
	}
	loadedOnce(t, w, "second run", want)
}

func TestHostileKeysLoadOnceFromS3(t *testing.T) {
	w := fresh(t)
	f := newFakeS3(t, "edge-logs")
	dir := t.TempDir()
	good, goodLines := goodObjects(t, dir, 3000, 3, 202)
	f.putDir(t, "edge-logs", "cf/", dir)
	want := map[string]uint64{}
	for k, n := range good {
		want["cf/"+k] = n
	}
	bad, badLines := hostileObjects(t, hostileKeys(false), func(k string, b []byte) { f.put(t, "edge-logs", k, b) })
	want = merge(want, bad)
	src := &ingest.S3{Client: f.Client, Bucket: "edge-logs", Prefix: "cf/"}
	wk := run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 1000})
	if n := wk.Summary().Loaded.Load(); n != int64(len(want)) {
		t.Errorf("loaded %d objects, want %d", n, len(want))
	}
	sameCounts(t, "first run", stored(t, w), byStatus(append(goodLines, badLines...)))
	loadedOnce(t, w, "first run", want)
	listedDone(t, w, len(want))

	wk = run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 1000})
	if n, s := wk.Summary().Loaded.Load(), wk.Summary().Skipped.Load(); n != 0 || s != int64(len(want)) {
		t.Errorf("second run loaded %d objects and found %d already loaded, want 0 and %d", n, s, len(want))
	}
	loadedOnce(t, w, "second run", want)
}

// TestHostileKeyNeverStopsLaterPasses watches a folder as serve does: a key
// with a quote sits next to good objects from the start, and objects that
// arrive between passes are loaded by the next pass.
func TestHostileKeyNeverStopsLaterPasses(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	want, lines := goodObjects(t, dir, 2000, 2, 211)
	hostile := "E2OPSBOTDEMO.2026-11-22-05.a'b.gz"
	first := loggen.Generate(loggen.Options{Start: day, Lines: 300, Seed: 212})
	writeFile(t, filepath.Join(dir, hostile), gz(t, first))
	want[hostile] = uint64(len(first))
	lines = append(lines, first...)
	now := clock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	passes := 0
	after := func(time.Duration) <-chan time.Time {
		passes++
		if passes == 3 {
			cancel()
			return make(chan time.Time)
		}
		k := []string{"E2OPSBOTDEMO.2026-11-22-06.c'd.gz", "E2OPSBOTDEMO.2026-11-22-07.plain.gz"}[passes-1]
		more := loggen.Generate(loggen.Options{Start: day, Lines: 200 + passes, Seed: uint64(212 + passes)})
		put(t, filepath.Join(dir, k), gz(t, more), now.Add(-time.Hour))
		want[k] = uint64(len(more))
		lines = append(lines, more...)
		c := make(chan time.Time, 1)
		c <- now
		return c
	}
	var log bytes.Buffer
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Interval: time.Minute,
		Clock: clocktest.Funcs{NowFunc: clock, AfterFunc: after}, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if passes != 3 {
		t.Fatalf("%d passes, want 3", passes)
	}
	sameCounts(t, "after three passes", stored(t, w), byStatus(lines))
	loadedOnce(t, w, "after three passes", want)
	if strings.Contains(log.String(), "ingest: ") {
		t.Errorf("a pass failed:\n%s", log.String())
	}
}

// TestS3ListDecodesURLEncodedKeys answers ListObjectsV2 as S3 does when
// asked for encoding-type=url: keys with control bytes that XML cannot
// carry come back exact, and a key whose encoding is broken is an error
// that names it.
func TestS3ListDecodesURLEncodedKeys(t *testing.T) {
	var keys []string
	for b := 1; b < 0x80; b++ {
		keys = append(keys, "cf/a"+string([]byte{byte(b)})+"z")
	}
	keys = append(keys, "cf/pct%2F%41+plus.gz", "cf/ünï 😀")
	var broken bool
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("encoding-type") != "url" {
			t.Errorf("listing without encoding-type=url: %s", r.URL)
		}
		fmt.Fprint(rw, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>`)
		for _, k := range keys {
			fmt.Fprintf(rw, "<Contents><Key>%s</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents>", url.QueryEscape(k))
		}
		if broken {
			fmt.Fprint(rw, "<Contents><Key>cf/bad%zz</Key><Size>1</Size></Contents>")
		}
		fmt.Fprint(rw, "</ListBucketResult>")
	}))
	defer srv.Close()
	awsEnv(t)
	cfg, err := ingest.LoadAWS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	src := &ingest.S3{Client: ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: srv.URL}), Bucket: "bkt", Prefix: "cf/"}
	var got []string
	if err := src.List(context.Background(), func(o ingest.Object) error { got = append(got, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(keys, "|") {
		t.Errorf("listed %q,\nwant %q", got, keys)
	}
	broken = true
	err = src.List(context.Background(), func(ingest.Object) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "cf/bad%zz") {
		t.Errorf("a broken URL-encoded key: %v", err)
	}
}
