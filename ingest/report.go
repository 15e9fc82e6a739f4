package ingest

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// reporter says what the worker does: one plain line per object, or a
// progress bar (objects, rows, MB/s, ETA) for a backfill on a terminal.
type reporter struct {
	w       *Worker
	log     io.Writer
	verbose bool

	mu      sync.Mutex
	bar     *progressbar.ProgressBar
	total   int
	objects atomic.Int64
	rows    atomic.Int64
	last    int64 // bytes shown so far
}

func (r *reporter) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		fmt.Fprint(r.w.o.Progress, "\r\033[K")
	}
	fmt.Fprintf(r.log, format+"\n", args...)
}

// start shows a bar when a progress writer is set and there is work.
func (r *reporter) start(todo []*task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w.o.Progress == nil || len(todo) == 0 {
		return
	}
	var size int64
	for _, t := range todo {
		size += t.state.Size
	}
	r.total, r.last = len(todo), r.w.bytesRead.Load()
	r.objects.Store(0)
	r.rows.Store(0)
	r.bar = progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(r.w.o.Progress),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetDescription(r.describe()))
}

func (r *reporter) describe() string {
	return fmt.Sprintf("objects %d/%d · %d rows", r.objects.Load(), r.total, r.rows.Load())
}

func (r *reporter) advance() {
	if r.bar == nil {
		return
	}
	now := r.w.bytesRead.Load()
	r.bar.Describe(r.describe())
	r.bar.Add64(now - r.last)
	r.last = now
}

// chunk notes a committed chunk.
func (r *reporter) chunk(s *State, c *chunk, res *loaded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.rec != nil {
		r.rows.Add(c.rec.NumRows())
	}
	if r.verbose {
		fmt.Fprintf(r.log, "chunk %d of %s committed: %d rows, %d rejected so far\n", c.index, s.Name(), res.rows, res.rejected)
	}
	r.advance()
}

// batch notes a committed pooled insert.
func (r *reporter) batch(name string, objects, rows int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows.Add(int64(rows))
	if r.verbose {
		fmt.Fprintf(r.log, "batch %s committed: %d objects, %d rows\n", name, objects, rows)
	}
	r.advance()
}

// done notes a loaded object.
func (r *reporter) done(s *State, t *task, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.objects.Add(1)
	if r.bar != nil {
		r.advance()
		return
	}
	fmt.Fprintf(r.log, "loaded %s (%s, %s): %d rows, %d rejected, %.1f MB in %s\n",
		s.Name(), s.Format, t.why, s.Rows, s.Rejected, float64(s.Size)/1e6, took.Round(time.Millisecond))
}

func (r *reporter) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar == nil {
		return
	}
	r.bar.Describe(r.describe())
	r.bar.Finish()
	r.bar = nil
	fmt.Fprintln(r.w.o.Progress)
	fmt.Fprintf(r.log, "loaded %d objects, %d rows\n", r.objects.Load(), r.rows.Load())
}
