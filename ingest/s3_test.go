package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
)

// fakeS3 is an in-process S3 server on loopback, reached through the AWS
// SDK with path-style addressing.
type fakeS3 struct {
	URL     string
	Client  *s3.Client
	*s3Gate // counts GETs, holds chosen ones (sqsfake_test.go)
}

func awsEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDOPSBOTTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "opsbot-test-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

func newFakeS3(t *testing.T, bucket string) *fakeS3 {
	t.Helper()
	awsEnv(t)
	gate := newS3Gate(gofakes3.New(s3mem.New()).Server())
	srv := httptest.NewServer(gate)
	t.Cleanup(srv.Close)
	cfg, err := ingest.LoadAWS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeS3{URL: srv.URL, Client: ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: srv.URL}), s3Gate: gate}
	if _, err := f.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeS3) put(t *testing.T, bucket, key string, body []byte) string {
	t.Helper()
	out, err := f.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// putDir uploads every file of dir under prefix.
func (f *fakeS3) putDir(t *testing.T, bucket, prefix, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f.put(t, bucket, prefix+e.Name(), b)
	}
}

func gz(t *testing.T, lines []loggen.Line) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	cw, err := loggen.NewCloudFrontWriter(z, "E2OPSBOTDEMO")
	if err != nil {
		t.Fatal(err)
	}
	for i := range lines {
		if err := cw.Write(&lines[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	z.Close()
	return buf.Bytes()
}

func TestS3LoadsEveryLineOnceAndReplacesChangedObjects(t *testing.T) {
	w := fresh(t)
	f := newFakeS3(t, "edge-logs")
	dir := t.TempDir()
	lines := traffic(t, dir, 20_000, 4, 21)
	f.putDir(t, "edge-logs", "cloudfront/", dir)
	f.put(t, "edge-logs", "other/E2OTHER.2026-11-22-10.00000000.gz", gz(t, lines[:100])) // outside the prefix
	src := &ingest.S3{Client: f.Client, Bucket: "edge-logs", Prefix: "cloudfront/"}

	wk := run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 4096, Workers: 3})
	if n := wk.Summary().Loaded.Load(); n != 4 {
		t.Fatalf("loaded %d objects, want 4", n)
	}
	sameCounts(t, "first run", stored(t, w), byStatus(lines))
	if n := run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 4096}).Summary().Loaded.Load(); n != 0 {
		t.Fatalf("second run loaded %d objects, want 0", n)
	}
	sameCounts(t, "second run", stored(t, w), byStatus(lines))

	// The first object is rewritten with fewer lines: its rows are replaced.
	first := "cloudfront/" + firstName(t, dir)
	n0 := scalar(t, w, "SELECT count() FROM requests WHERE source_object = '"+first+"'")
	f.put(t, "edge-logs", first, gz(t, lines[:1000]))
	if n := run(t, ingest.Options{Warehouse: w, Source: src, BatchRows: 4096}).Summary().Loaded.Load(); n != 1 {
		t.Fatalf("after rewrite loaded %d objects, want 1", n)
	}
	want := byStatus(append(append([]loggen.Line{}, lines[:1000]...), lines[n0:]...))
	sameCounts(t, "after rewrite", stored(t, w), want)

	// Re-ingest by key, found with HeadObject: replaced, never doubled.
	if n := run(t, ingest.Options{Warehouse: w, Source: src, Reingest: []string{"s3://edge-logs/" + first}}).Summary().Loaded.Load(); n != 1 {
		t.Fatalf("re-ingest loaded %d objects, want 1", n)
	}
	sameCounts(t, "after re-ingest", stored(t, w), want)
	wk, _ = ingest.New(ingest.Options{Warehouse: w, Source: src, Reingest: []string{"cloudfront/missing.gz"}, Clock: clocktest.Funcs{NowFunc: clock}})
	if err := wk.Run(context.Background()); !errors.Is(err, opsbot.ErrNotFound) || !strings.Contains(err.Error(), "cloudfront/missing.gz") {
		t.Errorf("re-ingest of a missing key: %v", err)
	}
}

func firstName(t *testing.T, dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("read %s: %v", dir, err)
	}
	return ents[0].Name()
}
