package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/ingest/edgelog"
	"github.com/opsbot/opsbot/warehouse"
)

// loaded is what one load of an object committed.
type loaded struct {
	format   edgelog.Format
	rows     uint64
	rejected uint64 // every rejected line
	stored   int    // rejected lines stored in ingest_rejects (at most Options.MaxRejectLines)
	chunks   int
	pooled   bool // handed to the pool: recorded done when its batch commits
}

// chunk is one Next of an edgelog.Reader: chunk i of an object is always
// the same rows and rejects, given the same bytes and batch size.
type chunk struct {
	index int
	rec   arrow.Record
	rej   []edgelog.Reject
	err   error
}

// load streams one object into the warehouse under the deduplication
// tokens of s's generation. Reading the next chunk overlaps inserting the
// current one. A chunk shorter than the batch size is committed only once
// the reader reached the end of the object cleanly: a short chunk cut by a
// read error could differ on the next try and would then be deduplicated
// away. The returned counts are what was committed, also on error.
func (w *Worker) load(ctx context.Context, t *task) (loaded, error) {
	s := t.state
	var res loaded
	rd, format, closeAll, err := w.open(ctx, s)
	if err != nil {
		return res, err
	}
	defer closeAll()
	res.format = format
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan chunk, 1)
	go produce(ctx, rd, ch)
	var pending *chunk
	defer func() { cancel(); drain(ch, pending) }() // reads pending when load returns
	var got received
	for c := range ch {
		got.add(&c)
		if c.err == io.EOF {
			if err := got.proven(rd.Tally()); err != nil {
				return res, fmt.Errorf("%s: %w", s.Name(), err)
			}
		}
		switch {
		case c.err == io.EOF && w.pool != nil && res.chunks == 0:
			p := pending // the whole object is read: pool it
			pending, c.err = nil, nil
			return w.pool.add(ctx, t, res, p, &c)
		case c.err == io.EOF:
			if p := pending; p != nil {
				pending = nil
				if err := w.commit(ctx, s, p, &res); err != nil {
					return res, err
				}
			}
			c.err = nil
			return res, w.commit(ctx, s, &c, &res)
		case c.err != nil:
			if c.rec != nil {
				c.rec.Release()
			}
			return res, fmt.Errorf("%s: %w", s.Name(), c.err)
		case c.rec != nil && int(c.rec.NumRows()) < s.BatchRows:
			if p := pending; p != nil { // not per edgelog's contract; keep order anyway
				pending = nil
				if err := w.commit(ctx, s, p, &res); err != nil {
					return res, err
				}
			}
			pending = &c
			continue
		}
		if err := w.commit(ctx, s, &c, &res); err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}

// open starts reading s: download, decompress, detect the format.
func (w *Worker) open(ctx context.Context, s *State) (edgelog.Reader, edgelog.Format, func(), error) {
	rc, err := w.o.Source.Open(ctx, s.Object)
	if err != nil {
		return nil, "", nil, err
	}
	dr, err := edgelog.DecompressLimited(&countingReader{r: rc, n: &w.bytesRead}, edgelog.DecompressLimits{MaxExpansion: int64(w.o.MaxExpansion)})
	if err != nil {
		rc.Close()
		return nil, "", nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	closeAll := func() {
		if c, ok := dr.(io.Closer); ok {
			c.Close()
		}
		rc.Close()
	}
	br := bufio.NewReaderSize(dr, edgelog.DetectBytes)
	head, err := br.Peek(edgelog.DetectBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		closeAll()
		return nil, "", nil, fmt.Errorf("%s: read: %w", s.Name(), err)
	}
	f := w.o.Format
	if f == "" {
		if f, err = edgelog.Detect(s.Key, head); err != nil {
			closeAll()
			return nil, "", nil, err
		}
	}
	rd, err := edgelog.NewReader(f, br, edgelog.Options{BatchRows: s.BatchRows, Object: s.Key,
		RequestIDs: w.o.RequestIDs, Alloc: memory.DefaultAllocator, MaxLine: w.o.MaxLineBytes,
		MaxRejectLines: w.o.MaxRejectLines}) // more than are stored need not be kept
	if err != nil {
		closeAll()
		return nil, "", nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return rd, f, func() { rd.Close(); closeAll() }, nil
}

// produce reads chunks until the end, an error or cancellation.
func produce(ctx context.Context, rd edgelog.Reader, ch chan<- chunk) {
	defer close(ch)
	for i := 0; ; i++ {
		rec, rej, err := rd.Next()
		select {
		case ch <- chunk{index: i, rec: rec, rej: rej, err: err}:
		case <-ctx.Done():
			if rec != nil {
				rec.Release()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

func drain(ch <-chan chunk, pending *chunk) {
	if pending != nil && pending.rec != nil {
		pending.rec.Release()
	}
	for c := range ch {
		if c.rec != nil {
			c.rec.Release()
		}
	}
}

// commit inserts one chunk's rows, then its rejects, each under the
// chunk's deduplication token.
func (w *Worker) commit(ctx context.Context, s *State, c *chunk, res *loaded) error {
	if c.rec != nil {
		defer c.rec.Release()
		t0 := time.Now()
		if err := w.o.Warehouse.Insert(ctx, "requests", c.rec, warehouse.InsertOptions{DedupToken: dedupToken(s, c.index)}); err != nil {
			return fmt.Errorf("insert chunk %d of %s: %w", c.index, s.Name(), err)
		}
		w.metrics.batch.Observe(time.Since(t0).Seconds())
		w.metrics.seen(c.rec)
		res.rows += uint64(c.rec.NumRows())
	}
	if err := w.commitRejects(ctx, s, c, res); err != nil {
		return err
	}
	res.chunks++
	w.progress.chunk(s, c, res)
	return nil
}

// commitRejects inserts a chunk's rejected lines under its token, as
// long as the object stored fewer than MaxRejectLines; every one counts.
func (w *Worker) commitRejects(ctx context.Context, s *State, c *chunk, res *loaded) error {
	keep := c.rej[:min(len(c.rej), max(0, w.o.MaxRejectLines-res.stored))]
	if len(keep) > 0 {
		rec := rejectRecord(s, keep, w.now())
		defer rec.Release()
		if err := w.o.Warehouse.Insert(ctx, "ingest_rejects", rec, warehouse.InsertOptions{DedupToken: dedupToken(s, c.index)}); err != nil {
			return fmt.Errorf("insert rejects of chunk %d of %s: %w", c.index, s.Name(), err)
		}
	}
	res.stored += len(keep)
	res.rejected += uint64(edgelog.CountRejects(c.rej))
	return nil
}

// errUnproven: the rows and rejects of an object do not add up to what its
// reader read (lines, or the rows a Parquet footer declares).
var errUnproven = errors.New("row count not proven")

// received counts the rows and rejects load received from a reader.
type received struct{ rows, rejects int64 }

func (r *received) add(c *chunk) {
	if c.rec != nil {
		r.rows += c.rec.NumRows()
	}
	r.rejects += edgelog.CountRejects(c.rej)
}

// proven checks, at the end of an object, that every line the reader read
// (Parquet: every row its footer declares) came as a row or a reject, or
// was skipped (a blank line, a directive). Without it an object could be
// recorded done with rows missing.
func (r *received) proven(t edgelog.Tally) error {
	if t.Lines == r.rows+r.rejects+t.Skipped && t.Rows == r.rows && t.Rejects == r.rejects {
		return nil
	}
	return fmt.Errorf("%w: the reader read %d lines (rows, for Parquet) and made %d rows, %d rejects and skipped %d, "+
		"but %d rows and %d rejects arrived; not recorded done (a decoder bug: report it with the object)",
		errUnproven, t.Lines, t.Rows, t.Rejects, t.Skipped, r.rows, r.rejects)
}

// dedupToken names chunk i of one load of one version of an object.
func dedupToken(s *State, i int) string {
	return fmt.Sprintf("%s/%s@%s#g%d#b%d#c%d", s.Bucket, s.Key, s.ETag, s.Generation, s.BatchRows, i)
}

var rejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "bucket", Type: arrow.BinaryTypes.String},
	{Name: "object", Type: arrow.BinaryTypes.String},
	{Name: "line", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
}, nil)

func rejectRecord(s *State, rej []edgelog.Reject, now time.Time) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, rejectSchema)
	defer b.Release()
	b.Reserve(len(rej)) // sized once: no regrowth copies
	var text, reasons int
	for _, r := range rej {
		text += min(len(r.Raw), edgelog.MaxRaw)
		reasons += len(r.Reason)
	}
	b.Field(4).(*array.StringBuilder).ReserveData(reasons)
	b.Field(5).(*array.StringBuilder).ReserveData(text)
	for _, r := range rej {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(now.UnixMilli()))
		b.Field(1).(*array.StringBuilder).Append(s.Bucket)
		b.Field(2).(*array.StringBuilder).Append(s.Key)
		b.Field(3).(*array.Uint32Builder).Append(uint32(r.Line))
		b.Field(4).(*array.StringBuilder).Append(r.Reason)
		b.Field(5).(*array.StringBuilder).Append(clipString(r.Raw, edgelog.MaxRaw))
	}
	return b.NewRecord()
}

// countingReader counts the stored (compressed) bytes read.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// permanent says whether trying again cannot help.
// An object inflating beyond its expansion limit inflates the same next
// time.
func permanent(err error) bool {
	return errors.Is(err, edgelog.ErrUnknownFormat) || errors.Is(err, edgelog.ErrExpansion)
}
