package edgelog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decompressAll(t *testing.T, in []byte) (string, error) {
	t.Helper()
	r, err := Decompress(bytes.NewReader(in))
	if err != nil {
		return "", err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// TestDecompressMultiMemberGzip: ALB writes gzip files of several members;
// every member's lines must come out.
func TestDecompressMultiMemberGzip(t *testing.T) {
	one, two := "line 1\nline 2\n", "line 3\n"
	in := append(gzipped(t, one), gzipped(t, two)...)
	got, err := decompressAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if got != one+two {
		t.Fatalf("got %q, want %q", got, one+two)
	}
}

func TestDecompressZstd(t *testing.T) {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("a line of log\n", 1000)
	got, err := decompressAll(t, w.EncodeAll([]byte(want), nil))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("zstd: got %d bytes, want %d", len(got), len(want))
	}
}

func TestDecompressPlain(t *testing.T) {
	for _, want := range []string{"", "x", "#Version: 1.0\n"} {
		got, err := decompressAll(t, []byte(want))
		if err != nil || got != want {
			t.Errorf("plain %q: got %q, %v", want, got, err)
		}
	}
}

// TestDecompressTruncatedGzip: a cut gzip stream is an error, never a
// quiet short read.
func TestDecompressTruncatedGzip(t *testing.T) {
	full := gzipped(t, strings.Repeat("some log line\n", 500))
	_, err := decompressAll(t, full[:len(full)-10])
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestReaderSurfacesReadErrors: the rows before a truncation are returned,
// then the error.
func TestReaderSurfacesReadErrors(t *testing.T) {
	lines := "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n" +
		strings.Repeat("2026-11-22\t10:00:00\t192.0.2.1\tGET\t/\t200\n", 2000)
	full := gzipped(t, lines)
	r, err := Decompress(bytes.NewReader(full[:len(full)/2]))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(CloudFront, r, Options{BatchRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for {
		rec, _, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("err %v, want io.ErrUnexpectedEOF", err)
			}
			break
		}
		rows += int(rec.NumRows())
	}
	if rows == 0 || rows >= 2000 {
		t.Fatalf("%d rows before the error, want some but not all", rows)
	}
}
