package edgelog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectGoldenInputs(t *testing.T) {
	for name, want := range map[string]Format{
		"cloudfront.log": CloudFront, "alb.log": ALB, "combined.log": Combined,
		"cloudflare.ndjson": Cloudflare, "fastly.log": Fastly, "cloudfront-v2.ndjson": CloudFrontV2JSON,
	} {
		head, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Detect("logs/"+name, head[:min(len(head), DetectBytes)]); got != want || err != nil {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestDetectLines(t *testing.T) {
	for head, want := range map[string]Format{
		"PAR1\x15\x04":                                                                    CloudFrontV2Parquet,
		"\n\n#Fields: date time c-ip\n":                                                   CloudFront,
		`{"timestamp":"x","client_ip":"1"}`:                                               Fastly,
		`{"EdgeStartTimestamp":1,"ClientIP":"192.0.2.1"}`:                                 Cloudflare,
		"<134>2026-11-22T10:00:00Z cache-sjc1 x[1]: {\"client_ip\":\"1\"}":                Fastly,
		"192.0.2.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n":           Combined,
		"2026-11-22\t10:00:00\tFRA2\t1\t192.0.2.1\tGET\th\t/\t200\t-\t-\t-\t-\tHit\tid\n": CloudFront,
	} {
		if got, err := Detect("obj", []byte(head)); got != want || err != nil {
			t.Errorf("%q: %q, %v; want %q", head, got, err, want)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	_, err := Detect("bucket/logs/x.gz", []byte("hello world\n"))
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), `"bucket/logs/x.gz"`) ||
		!strings.Contains(err.Error(), `"hello world"`) {
		t.Fatalf("err %v: want ErrUnknownFormat naming the object and its first line", err)
	}
	_, err = Detect("bucket/x.gz", gzipped(t, "#Version: 1.0\n"))
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "still compressed") {
		t.Fatalf("err %v: want a compressed object said so", err)
	}
	_, err = Detect("bucket/empty.gz", nil)
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("err %v: want ErrUnknownFormat saying the object is empty", err)
	}
	if f, err := Detect("AWSLogs/1/elasticloadbalancing/us-east-1/2026/11/22/1_elasticloadbalancing_us-east-1_app.x_20261122T1000Z_10.0.0.1_abc.log.gz", nil); f != ALB || err != nil {
		t.Fatalf("empty ALB object by name: %q, %v", f, err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(" " + strings.ToUpper(string(f)) + " "); got != f || err != nil {
			t.Errorf("ParseFormat(%q): %q, %v", f, got, err)
		}
	}
	_, err := ParseFormat("w3c")
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "cloudfront, cloudfront-v2-parquet") {
		t.Fatalf("err %v: want the allowed names", err)
	}
}

// TestSniff: the format of a gzipped object, and every byte still there.
func TestSniff(t *testing.T) {
	raw, err := os.ReadFile("testdata/alb.log")
	if err != nil {
		t.Fatal(err)
	}
	z, err := Decompress(bytes.NewReader(gzipped(t, string(raw))))
	if err != nil {
		t.Fatal(err)
	}
	f, r, err := Sniff("x.log.gz", z)
	if f != ALB || err != nil {
		t.Fatalf("Sniff: %q, %v", f, err)
	}
	if got, _ := io.ReadAll(r); !bytes.Equal(got, raw) {
		t.Fatalf("Sniff's reader lost bytes: %d, want %d", len(got), len(raw))
	}
}
