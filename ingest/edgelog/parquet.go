package edgelog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// DefaultSpoolLimit caps how much of a Parquet object is spooled to disk
// when Options.SpoolLimit is 0.
const DefaultSpoolLimit = 4 << 30

// ErrTooLarge: a Parquet object is larger than the spool limit.
var ErrTooLarge = errors.New("parquet object larger than the spool limit")

// parquetReader reads CloudFront standard logging v2 Parquet objects: the
// columns named like CloudFront fields, through the same rules as the
// tab-separated format. source_line is the 1-based row number.
type parquetReader struct {
	spool   *os.File
	pf      *file.Reader
	rr      pqarrow.RecordReader
	ids     []int // record column → CloudFront field id
	b       *batch
	vals    cfValues
	scratch []byte
	rowNum  int
	rej     rejectBuf
	cur     arrow.Record
	pos     int
	err     error
}

func newParquetReader(r io.Reader, o Options) (Reader, error) {
	p := &parquetReader{b: newBatch(o), rej: newRejectBuf(o)}
	ra, ok := r.(parquet.ReaderAtSeeker)
	if !ok {
		f, err := spool(r, o)
		if err != nil {
			return nil, err
		}
		p.spool, ra = f, f
	}
	if err := p.open(ra, o); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// spool copies r to a temporary file, at most the spool limit.
func spool(r io.Reader, o Options) (*os.File, error) {
	limit := o.SpoolLimit
	if limit <= 0 {
		limit = DefaultSpoolLimit
	}
	f, err := os.CreateTemp(o.SpoolDir, "edgelog-*.parquet")
	if err != nil {
		return nil, fmt.Errorf("spool parquet: %w", err)
	}
	os.Remove(f.Name()) // gone when closed, whatever happens
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spool parquet: %w", err)
	}
	return f, nil
}

// errCorrupt: the Parquet decoder gave up on the object (it panics on some
// malformed input, and the budget allocator panics when a corrupt object
// claims too much memory; the panic becomes this error).
var errCorrupt = errors.New("corrupt parquet object")

func recovered(err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("%w: %v", errCorrupt, v)
	}
}

func (p *parquetReader) open(ra parquet.ReaderAtSeeker, o Options) (err error) {
	defer recovered(&err)
	base := o.Alloc
	if base == nil {
		base = memory.DefaultAllocator
	}
	mem := &budget{mem: base}
	pf, err := file.NewParquetReader(ra, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	p.pf = pf
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(min(o.BatchRows, 65536))}, mem)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	var cols []int
	sc := pf.MetaData().Schema
	for i := 0; i < sc.NumColumns(); i++ {
		c := sc.Column(i)
		if c.ColumnPath().String() != c.Name() {
			continue // nested
		}
		if id := cfFieldID([]byte(c.Name())); id >= 0 {
			cols = append(cols, i)
			p.ids = append(p.ids, id)
		}
	}
	if len(cols) == 0 {
		return fmt.Errorf("parquet: no CloudFront columns (want c-ip, date, time …)")
	}
	size, err := ra.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := checkPages(ra, size, pf, cols); err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	p.rr, err = fr.GetRecordReader(context.Background(), cols, nil)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// Next implements Reader.
func (p *parquetReader) Next() (arrow.Record, []Reject, error) {
	if p.err == nil {
		p.b.ready()
	}
	for !p.b.full() && !p.rej.full() && p.err == nil {
		if p.cur == nil || p.pos >= int(p.cur.NumRows()) {
			if !p.advance() {
				break
			}
		}
		p.rowNum++
		var r row
		if reason := p.row(&r); reason != "" {
			p.rej.add(p.rowNum, reason, p.raw())
		} else {
			p.b.add(&r, p.rowNum)
		}
		p.pos++
	}
	err := p.err
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("parquet row %d: %w", p.rowNum, err)
	}
	return p.b.hand(&p.rej, err)
}

// Tally implements Reader: Lines is the footer's row count.
func (p *parquetReader) Tally() Tally {
	return Tally{Lines: p.pf.NumRows(), Rows: p.b.handed, Rejects: p.rej.total}
}

// advance reads the next record group of the file. At the end, every row
// the footer declares must have been read: a decoder that gives up early
// without an error (as arrow v17's does on some corrupt pages) would
// otherwise make a corrupt object look short or empty.
func (p *parquetReader) advance() (ok bool) {
	defer recovered(&p.err)
	if !p.rr.Next() {
		p.err = p.rr.Err()
		if p.err == nil || errors.Is(p.err, io.EOF) {
			p.err = io.EOF
			if int64(p.rowNum) != p.pf.NumRows() {
				p.err = fmt.Errorf("%w: %d rows read, the footer declares %d", errCorrupt, p.rowNum, p.pf.NumRows())
			}
		}
		return false
	}
	p.cur, p.pos = p.rr.Record(), 0
	return true
}

func (p *parquetReader) row(r *row) string {
	p.vals.reset()
	p.scratch = p.scratch[:0]
	for c, id := range p.ids {
		if v, ok := p.cell(p.cur.Column(c), p.pos); ok {
			p.vals.set(id, v)
		}
	}
	if !p.vals.has(cfClientIP) {
		return "no c-ip"
	}
	if reason := p.vals.toRow(r); reason != "" {
		return reason
	}
	return r.check()
}

// cell renders one value as the text the W3C format would hold.
func (p *parquetReader) cell(col arrow.Array, i int) ([]byte, bool) {
	if col.IsNull(i) {
		return nil, false
	}
	n := len(p.scratch)
	switch a := col.(type) {
	case *array.String:
		return unsafe.Slice(unsafe.StringData(a.Value(i)), len(a.Value(i))), true
	case *array.LargeString:
		return unsafe.Slice(unsafe.StringData(a.Value(i)), len(a.Value(i))), true
	case *array.Binary:
		return a.Value(i), true
	case *array.Int64:
		p.scratch = strconv.AppendInt(p.scratch, a.Value(i), 10)
	case *array.Int32:
		p.scratch = strconv.AppendInt(p.scratch, int64(a.Value(i)), 10)
	case *array.Int16:
		p.scratch = strconv.AppendInt(p.scratch, int64(a.Value(i)), 10)
	case *array.Uint64:
		p.scratch = strconv.AppendUint(p.scratch, a.Value(i), 10)
	case *array.Uint32:
		p.scratch = strconv.AppendUint(p.scratch, uint64(a.Value(i)), 10)
	case *array.Float64:
		p.scratch = strconv.AppendFloat(p.scratch, a.Value(i), 'f', -1, 64)
	case *array.Float32:
		p.scratch = strconv.AppendFloat(p.scratch, float64(a.Value(i)), 'f', -1, 32)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		secs := float64(a.Value(i)) * float64(unit.Multiplier()) / float64(time.Second)
		p.scratch = strconv.AppendFloat(p.scratch, secs, 'f', 3, 64)
	default:
		p.scratch = append(p.scratch, col.ValueStr(i)...)
	}
	return p.scratch[n:len(p.scratch):len(p.scratch)], true
}

// raw renders a rejected row as name=value pairs, at most MaxRaw bytes;
// nothing when the reject will not keep its text.
func (p *parquetReader) raw() []byte {
	if !p.rej.wantsText() {
		return nil
	}
	var b strings.Builder
	for c, f := range p.cur.Schema().Fields() {
		if c > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(f.Name + "=" + p.cur.Column(c).ValueStr(p.pos))
		if b.Len() >= MaxRaw {
			break
		}
	}
	return []byte(b.String())
}

// Close implements Reader.
func (p *parquetReader) Close() error {
	p.b.free()
	if p.rr != nil {
		p.rr.Release()
		p.rr = nil
	}
	if p.pf != nil {
		p.pf.Close()
		p.pf = nil
	}
	if p.spool != nil {
		err := p.spool.Close()
		p.spool = nil
		return err
	}
	return nil
}
