package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/warehouse"
)

// A pool gathers objects smaller than one chunk (CloudFront writes many
// small ones) and inserts their rows together, one part per InsertRows
// rows instead of one per object: the merges of many small parts cost the
// engine more than the inserts themselves.
//
// Exactly once: before the insert, every member is recorded loading with
// the batch's name. The insert is one block, so one part: it commits
// whole or not at all. A restart that finds a member still loading in a
// batch counts its rows (decide → settleBatch): rows present mean the batch
// committed and the object is recorded done; none mean it loads again.
// Rejected lines are inserted per object before pooling, under the
// object's own deduplication token, as when it is loaded alone.
type pool struct {
	w    *Worker
	rows int // insert when the members hold this many rows

	// One batch is inserted at a time, by the worker that filled the
	// pool; a worker filling the next one waits, so memory stays bounded
	// (an inserter goroutine letting both workers read on was measured: no
	// faster, and one more pool in memory).
	inserting sync.Mutex

	mu      sync.Mutex
	members []member
	held    int
	err     error // the first failed insert since the last flush
}

// member is one pooled object and its rows.
type member struct {
	t    *task
	recs []arrow.Record
	rows int
}

// add pools a whole object read as the chunks cs (the rejects of each are
// committed here) and inserts the pool when it is full. It takes the
// chunks' records. The object is recorded done when its batch commits.
func (p *pool) add(ctx context.Context, t *task, res loaded, cs ...*chunk) (loaded, error) {
	m := member{t: t}
	defer func() { releaseAll(m.recs) }() // emptied once pooled
	var err error
	for _, c := range cs { // take every record first: released on any error
		if c == nil || c.rec == nil {
			continue
		}
		if c.rec.NumRows() > 0 && err == nil {
			// A chunk's buffers are sized for a whole chunk: pool a copy of
			// the rows alone, and give the buffers back to the parser.
			var r arrow.Record
			if r, err = compact(c.rec); err == nil {
				m.recs, m.rows = append(m.recs, r), m.rows+int(r.NumRows())
			}
		}
		c.rec.Release()
	}
	if err != nil {
		return res, err
	}
	for _, c := range cs {
		if c == nil {
			continue
		}
		if err := p.w.commitRejects(ctx, t.state, c, &res); err != nil {
			return res, err
		}
	}
	res.rows, res.pooled = uint64(m.rows), true
	s := t.state
	s.Format, s.Rows, s.Rejected = string(res.format), res.rows, res.rejected
	if full := p.push(&m); full != nil {
		p.commit(ctx, full)
	}
	return res, nil
}

// push adds m (taking its records) and returns the members to insert now
// when the pool is full. Every edgelog reader yields the one edgelog
// schema, so pooled records always share their columns.
func (p *pool) push(m *member) []member {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.members, p.held = append(p.members, *m), p.held+m.rows
	m.recs = nil
	if p.held < p.rows {
		return nil
	}
	out := p.members
	p.members, p.held = nil, 0
	return out
}

// flush inserts what the pool still holds (unless ctx ended: the members
// stay queued in the manifest and a restart resumes them) and reports the
// first failed insert since the last flush.
func (p *pool) flush(ctx context.Context) error {
	p.mu.Lock()
	ms := p.members
	p.members, p.held = nil, 0
	p.mu.Unlock()
	if len(ms) > 0 && ctx.Err() == nil {
		p.commit(ctx, ms)
	} else {
		for _, m := range ms {
			releaseAll(m.recs)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}

// commit records the members loading in one batch, inserts their rows and
// records them done (or failed, with the batch kept for the next try).
func (p *pool) commit(ctx context.Context, ms []member) {
	p.inserting.Lock()
	defer p.inserting.Unlock()
	var recs []arrow.Record
	states := make([]*State, len(ms))
	for i, m := range ms {
		recs = append(recs, m.recs...)
		states[i] = m.t.state
	}
	defer releaseAll(recs)
	name := batchName(states)
	for _, s := range states {
		s.Status, s.Batch = StatusLoading, name
	}
	err := p.w.man.writeMany(ctx, states)
	if err == nil {
		err = p.insert(ctx, recs, name)
	}
	if err != nil {
		err = fmt.Errorf("insert batch %s of %d objects: %w", name, len(ms), err)
		for _, m := range ms {
			p.w.failed(ctx, m.t.state, err)
		}
		p.mu.Lock()
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
		return
	}
	p.w.progress.batch(name, len(ms), int(warehouse.Rows(recs)))
	for _, m := range ms {
		p.w.finish(ctx, m.t, m.t.state.Started, p.w.recordDone)
	}
}

// insert sends recs as one insert (one block) under the batch's
// deduplication token, trying again with backoff: the token makes a
// repeat of a committed insert a no-op.
func (p *pool) insert(ctx context.Context, recs []arrow.Record, name string) error {
	if len(recs) == 0 {
		return nil
	}
	b := p.w.backoff()
	for attempt := 1; ; attempt++ {
		t0 := time.Now()
		err := p.w.o.Warehouse.InsertMany(ctx, "requests", recs, warehouse.InsertOptions{DedupToken: "batch/" + name})
		if err == nil {
			p.w.metrics.batch.Observe(time.Since(t0).Seconds())
			for _, r := range recs {
				p.w.metrics.seen(r)
			}
			return nil
		}
		if ctx.Err() != nil || attempt >= p.w.o.MaxAttempts {
			return err
		}
		p.w.progress.logf("insert batch %s failed (attempt %d/%d): %v", name, attempt, p.w.o.MaxAttempts, err)
		select {
		case <-ctx.Done():
			return err
		case <-p.w.o.Clock.After(b.NextBackOff()):
		}
	}
}

// compact copies rec into buffers of its size (Concatenate of one array
// copies it).
func compact(rec arrow.Record) (arrow.Record, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer releaseArrays(cols)
	for i := range cols {
		var err error
		if cols[i], err = array.Concatenate([]arrow.Array{rec.Column(i)}, memory.DefaultAllocator); err != nil {
			return nil, fmt.Errorf("copy column %s: %w", rec.ColumnName(i), err)
		}
	}
	return array.NewRecord(rec.Schema(), cols, rec.NumRows()), nil
}

// batchName names a batch by its members' loads (key, version, generation).
func batchName(states []*State) string {
	h := sha256.New()
	for _, s := range states {
		fmt.Fprintln(h, dedupToken(s, 0))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}
