package edgelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/thrift/lib/go/thrift"
)

// checkPages walks the page headers of the column chunks about to be read
// and fails unless they tile each chunk and carry its values. arrow v17's
// page reader trusts them: past a chunk's end it parses stale buffer bytes
// as headers of empty pages, forever, holding memory on every turn (found
// by FuzzParquet). CloudFront writes sound files; this turns a corrupt one
// into an error.
func checkPages(ra io.ReaderAt, size int64, pf *file.Reader, cols []int) error {
	for g := 0; g < pf.NumRowGroups(); g++ {
		rg := pf.MetaData().RowGroup(g)
		if rg.NumRows() < 0 || rg.TotalByteSize() < 0 {
			return fmt.Errorf("row group %d: %d rows of %d bytes", g, rg.NumRows(), rg.TotalByteSize())
		}
		for _, c := range cols {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return err
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			end := start + cc.TotalCompressedSize()
			if start < 4 || end > size || end < start {
				return fmt.Errorf("row group %d column %d: chunk [%d, %d) outside the file", g, c, start, end)
			}
			if err := checkChunk(ra, start, end, cc.NumValues()); err != nil {
				return fmt.Errorf("row group %d column %d: %w", g, c, err)
			}
		}
	}
	return nil
}

// checkChunk follows the pages of one column chunk.
func checkChunk(ra io.ReaderAt, pos, end, want int64) error {
	buf := make([]byte, 64<<10)
	var values int64
	for values < want {
		if pos >= end {
			return fmt.Errorf("pages hold %d values, the chunk %d", values, want)
		}
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		h, err := pageHeader(buf[:n])
		if err != nil {
			return fmt.Errorf("page at %d: %w", pos, err)
		}
		values += h.values
		pos += h.length + h.compressed
	}
	if pos > end {
		return fmt.Errorf("last page runs %d bytes past the chunk", pos-end)
	}
	return nil
}

type page struct {
	length, uncompressed, compressed, values int64
}

// pageHeader reads the Thrift compact PageHeader at the start of b: its
// length, uncompressed_page_size (field 2), compressed_page_size (field
// 3), and the num_values (field 1) of a data page header (fields 5 and 8).
// Sizes that are negative or over what the decoder may allocate
// (maxParquetAlloc) are refused here, with the reason, before anything is
// allocated for them.
func pageHeader(b []byte) (page, error) {
	ctx := context.Background()
	mem := &thrift.TMemoryBuffer{Buffer: bytes.NewBuffer(b)}
	p := thrift.NewTCompactProtocolConf(mem, &thrift.TConfiguration{})
	var h page
	err := readStruct(ctx, p, func(id int16, t thrift.TType) error {
		switch {
		case id == 2 && t == thrift.I32:
			v, err := p.ReadI32(ctx)
			h.uncompressed = int64(v)
			return err
		case id == 3 && t == thrift.I32:
			v, err := p.ReadI32(ctx)
			h.compressed = int64(v)
			return err
		case (id == 5 || id == 8) && t == thrift.STRUCT:
			return readStruct(ctx, p, func(id int16, t thrift.TType) error {
				if id != 1 || t != thrift.I32 {
					return p.Skip(ctx, t)
				}
				v, err := p.ReadI32(ctx)
				h.values = int64(v)
				return err
			})
		}
		return p.Skip(ctx, t)
	})
	if err != nil {
		return h, fmt.Errorf("bad page header: %w", err)
	}
	h.length = int64(len(b) - mem.Len())
	return h, h.sane()
}

func (h page) sane() error {
	for _, f := range []struct {
		what string
		n    int64
	}{{"uncompressed size", h.uncompressed}, {"compressed size", h.compressed}} {
		if f.n < 0 {
			return fmt.Errorf("bad page header: %s %d is negative", f.what, f.n)
		}
		if f.n > maxParquetAlloc {
			return fmt.Errorf("bad page header: %s of %d bytes is over the %d-byte limit of a page", f.what, f.n, maxParquetAlloc)
		}
	}
	if h.values < 0 {
		return fmt.Errorf("bad page header: %d values", h.values)
	}
	return nil
}

func readStruct(ctx context.Context, p *thrift.TCompactProtocol, field func(int16, thrift.TType) error) error {
	if _, err := p.ReadStructBegin(ctx); err != nil {
		return err
	}
	for {
		_, t, id, err := p.ReadFieldBegin(ctx)
		if err != nil {
			return err
		}
		if t == thrift.STOP {
			return p.ReadStructEnd(ctx)
		}
		if err := field(id, t); err != nil {
			return err
		}
		if err := p.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
}
