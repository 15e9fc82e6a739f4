package edgelog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
)

// repeatReader yields n bytes of b without holding them.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n))
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= int64(k)
	return k, nil
}

// TestJunkRejectsComeInBoundedChunks: an object whose every line but three
// is junk never fills a batch; its rejects still come out at most
// MaxRejects per Next, all of them, and the three rows come too.
func TestJunkRejectsComeInBoundedChunks(t *testing.T) {
	const junk = 5000
	var buf bytes.Buffer
	good, err := loggen.WriteJunk(&buf, loggen.Options{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Lines: 3}, junk, 200)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(CloudFront, &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var rows, rejects, calls int
	for {
		rec, rej, err := rd.Next()
		calls++
		if len(rej) > MaxRejects {
			t.Fatalf("Next %d returned %d rejects, over the limit of %d", calls, len(rej), MaxRejects)
		}
		rejects += len(rej)
		if rec != nil {
			rows += int(rec.NumRows())
			rec.Release()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if rows != good || rejects != junk {
		t.Fatalf("%d rows and %d rejects, want %d and %d", rows, rejects, good, junk)
	}
	if tl := rd.Tally(); tl.Lines != int64(2+good+junk) || tl.Skipped != 2 || tl.Rows != int64(good) || tl.Rejects != junk {
		t.Fatalf("tally %+v, want %d lines: %d rows, %d rejects, 2 directives", tl, 2+good+junk, good, junk)
	}
}

// TestLongLineIsNotReadWhole: a 64 MiB line, with a 64 KiB limit, is
// rejected with its line number while the reader holds at most the limit
// of it; the next line is read.
func TestLongLineIsNotReadWhole(t *testing.T) {
	const limit = 64 << 10
	ok := "192.0.2.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n"
	in := io.MultiReader(strings.NewReader(ok), &repeatReader{b: 'a', n: 64 << 20}, strings.NewReader("\n"+ok))
	rd, err := NewReader(Combined, in, Options{MaxLine: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var rows int
	var rejects []Reject
	for {
		rec, rej, err := rd.Next()
		rejects = append(rejects, rej...)
		if rec != nil {
			rows += int(rec.NumRows())
			rec.Release()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if rows != 2 || len(rejects) != 1 || rejects[0].Line != 2 || !strings.Contains(rejects[0].Reason, "longer than 65536 bytes") {
		t.Fatalf("%d rows, rejects %v; want 2 rows and line 2 rejected as too long", rows, rejects)
	}
	if held := cap(rd.(*lineReader).long); held > limit+1 {
		t.Fatalf("the reader held %d bytes of the long line, over the %d-byte limit", held, limit)
	}
}

// v2Rows is a 5,000-row Parquet object with a dictionary page per string
// column.
func v2Rows(t *testing.T) ([]byte, int) {
	t.Helper()
	data, n, err := loggen.Parquet(loggen.Options{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Lines: 5000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return data, n
}

// readParquet reads data to the end and returns rows, rejects and the
// first error other than io.EOF (from NewReader or Next).
func readParquet(t *testing.T, data []byte) (rows, rejects int, err error) {
	t.Helper()
	rd, err := NewReader(CloudFrontV2Parquet, bytes.NewReader(data), Options{})
	if err != nil {
		return 0, 0, err
	}
	defer rd.Close()
	for {
		rec, rej, err := rd.Next()
		rejects += len(rej)
		if rec != nil {
			rows += int(rec.NumRows())
			rec.Release()
		}
		if errors.Is(err, io.EOF) {
			return rows, rejects, nil
		}
		if err != nil {
			return rows, rejects, err
		}
	}
}

// TestParquetNegativeDictionaryPageSize: a dictionary page header claiming
// a negative uncompressed size is refused with a reason; it does not read
// as an empty object.
func TestParquetNegativeDictionaryPageSize(t *testing.T) {
	data, n := v2Rows(t)
	if rows, rej, err := readParquet(t, data); err != nil || rows+rej != n {
		t.Fatalf("sound file: %d rows, %d rejects, %v; want %d rows", rows, rej, err, n)
	}
	if err := loggen.CorruptDictPage(data, 1); err != nil {
		t.Fatal(err)
	}
	rows, rej, err := readParquet(t, data)
	if err == nil || !strings.Contains(err.Error(), "uncompressed size") {
		t.Fatalf("corrupt file: %d rows, %d rejects, err %v; want an error naming the uncompressed size", rows, rej, err)
	}
}

// TestParquetRowCountIsProven: a footer declaring one row more than the
// row groups hold is an error at the end, not a quiet success.
func TestParquetRowCountIsProven(t *testing.T) {
	data, n := v2Rows(t)
	// FileMetaData.num_rows, Thrift compact: field delta 1, i64 (0x16),
	// zigzag varint of 5000 (0x90 0x4e); the first such bytes of the
	// footer, before the row groups' own counts.
	foot := len(data) - 8 - int(uint32(data[len(data)-8])|uint32(data[len(data)-7])<<8|uint32(data[len(data)-6])<<16|uint32(data[len(data)-5])<<24)
	i := bytes.Index(data[foot:], []byte{0x16, 0x90, 0x4e})
	if n != 5000 || i < 0 {
		t.Fatalf("num_rows not found in the footer")
	}
	data[foot+i+1] = 0x92 // 5001
	rows, rej, err := readParquet(t, data)
	if err == nil || !strings.Contains(err.Error(), "footer declares 5001") {
		t.Fatalf("%d rows, %d rejects, err %v; want an error: 5000 rows read, the footer declares 5001", rows, rej, err)
	}
}

// TestDecompressBombIsRefused: a gzip stream inflating beyond the
// expansion limit is an error, read as a stream (never held).
func TestDecompressBombIsRefused(t *testing.T) {
	var bomb bytes.Buffer
	if err := loggen.WriteGzipBomb(&bomb, 0, 8<<20); err != nil {
		t.Fatal(err)
	}
	r, err := DecompressLimited(bytes.NewReader(bomb.Bytes()), DecompressLimits{MaxExpansion: 100, Allowance: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, ErrExpansion) || n > 2<<20 {
		t.Fatalf("read %d bytes of a %d-byte bomb, err %v; want ErrExpansion soon after 1 MiB", n, bomb.Len(), err)
	}
	r, err = DecompressLimited(bytes.NewReader(bomb.Bytes()), DecompressLimits{MaxExpansion: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, r); err != nil || n != 8<<20 {
		t.Fatalf("under the limit: %d bytes, %v; want all 8 MiB", n, err)
	}
}
