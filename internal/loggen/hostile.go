package loggen

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/klauspost/compress/gzip"
)

// Hostile objects, for the tests and benchmarks that show memory stays
// bounded whatever an object holds. Every generator streams: none holds
// its output.

// WriteJunk writes a CloudFront object (uncompressed; wrap w in gzip for a
// small object) of good lines from o followed by junk lines of width bytes
// each, which no parser reads. It returns the number of good lines.
func WriteJunk(w io.Writer, o Options, junk, width int) (int, error) {
	cw, err := NewCloudFrontWriter(w, "E2OPSBOTDEMO")
	if err != nil {
		return 0, err
	}
	lines := Generate(o)
	for i := range lines {
		if err := cw.Write(&lines[i]); err != nil {
			return 0, err
		}
	}
	if err := cw.Flush(); err != nil {
		return 0, err
	}
	line := append(bytes.Repeat([]byte{'x'}, max(width, 1)-1), '\n')
	for range junk {
		if _, err := w.Write(line); err != nil {
			return 0, err
		}
	}
	return len(lines), nil
}

// WriteRepeat writes n bytes of b repeated: a long line (b without "\n"),
// or the content of a decompression bomb.
func WriteRepeat(w io.Writer, b byte, n int64) error {
	buf := bytes.Repeat([]byte{b}, 1<<20)
	for n > 0 {
		k, err := w.Write(buf[:min(int64(len(buf)), n)])
		if err != nil {
			return err
		}
		n -= int64(k)
	}
	return nil
}

// WriteGzipBomb writes a gzip stream that inflates to n bytes of b.
func WriteGzipBomb(w io.Writer, b byte, n int64) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := WriteRepeat(zw, b, n); err != nil {
		return err
	}
	return zw.Close()
}

// Parquet returns a CloudFront standard logging v2 Parquet object of the
// lines of o, one row group, dictionary-encoded strings.
func Parquet(o Options) ([]byte, int, error) {
	lines := Generate(o)
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
		{Name: "c-ip", Type: arrow.BinaryTypes.String},
		{Name: "sc-status", Type: arrow.PrimitiveTypes.Int64},
		{Name: "cs-method", Type: arrow.BinaryTypes.String},
		{Name: "cs-uri-stem", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, l := range lines {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(l.TS.UnixMilli()))
		b.Field(1).(*array.StringBuilder).Append(l.ClientIP)
		b.Field(2).(*array.Int64Builder).Append(int64(l.Status))
		b.Field(3).(*array.StringBuilder).Append(l.Method)
		b.Field(4).(*array.StringBuilder).Append(l.Path)
	}
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		return nil, 0, err
	}
	if err := w.Write(rec); err != nil {
		return nil, 0, err
	}
	if err := w.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), len(lines), nil
}

// CorruptDictPage patches, in place, the first dictionary page header of
// column col of a Parquet file: its uncompressed_page_size becomes
// negative. The compressed size and the data are left as they were.
func CorruptDictPage(data []byte, col int) error {
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer pf.Close()
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(col)
	if err != nil {
		return err
	}
	if !cc.HasDictionaryPage() {
		return fmt.Errorf("column %d has no dictionary page", col)
	}
	// Thrift compact PageHeader: 0x15 type(i32 zigzag varint) 0x15
	// uncompressed_page_size(i32 zigzag varint) …
	off := cc.DictionaryPageOffset()
	if off+3 >= int64(len(data)) || data[off] != 0x15 || data[off+2] != 0x15 {
		return errors.New("unexpected dictionary page header layout")
	}
	data[off+3] |= 1 // zigzag: 2n → 2n+1 is −(n+1), same length
	return nil
}
