package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/ingest/edgelog"
	"github.com/opsbot/opsbot/warehouse"
)

// Options configure a Worker. Zero values take the defaults of the
// ingest config section.
type Options struct {
	Warehouse warehouse.Warehouse // required
	Source    Source              // lists (and opens) objects; required
	Queue     Queue               // when set, objects come from the queue and Source only opens them

	Format         edgelog.Format // force one format; "" detects per object
	Once           bool           // one pass (or drain the queue), then return
	Interval       time.Duration  // between passes when watching
	Lookback       time.Duration  // later passes re-check objects delivered this recently
	Since, Until   time.Time      // bound objects by their time (ObjectTime); zero: unbounded
	Reingest       []string       // keys to replace (delete their rows, load again); implies Once
	Workers        int            // objects read at once
	BatchRows      int            // rows per insert when an object is read in chunks
	InsertRows     int            // objects smaller than BatchRows are pooled into inserts of up to this many rows; <0: not pooled
	RequestIDs     bool           // keep request ids (edgelog.Options.RequestIDs)
	MaxAttempts    int            // tries before an object is failed for good
	Backoff        time.Duration  // first retry wait, doubling up to 5m
	Visibility     time.Duration  // SQS visibility timeout, extended while reading
	RetentionDays  int            // objects older than this are not loaded (expired); 0: no limit
	MaxLineBytes   int            // longer lines are rejected as too long, never held whole
	MaxExpansion   int            // a compressed object inflating beyond this ratio is failed (edgelog.ErrExpansion)
	MaxRejectLines int            // rejected lines stored per object in ingest_rejects (all are counted); <0: none

	Log      io.Writer    // one line per object; nil discards
	Verbose  bool         // also one line per committed chunk
	Progress io.Writer    // when set (a terminal), a progress bar replaces the per-object lines
	Metrics  *Metrics     // nil: a fresh set (see Worker.Metrics)
	Clock    opsbot.Clock // opsbot.SystemClock when nil
}

func (o *Options) fill() {
	d := config.Default().Ingest
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&o.Interval, d.Interval)
	set(&o.Lookback, d.Lookback)
	set(&o.Backoff, d.RetryBackoff)
	set(&o.Visibility, d.VisibilityTimeout)
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	if o.BatchRows <= 0 {
		o.BatchRows = d.BatchRows
	}
	if o.InsertRows == 0 {
		o.InsertRows = max(d.InsertRows, o.BatchRows)
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = d.MaxAttempts
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = d.MaxLineBytes
	}
	if o.MaxExpansion <= 0 {
		o.MaxExpansion = d.MaxExpansion
	}
	if o.MaxRejectLines == 0 {
		o.MaxRejectLines = d.MaxRejectLines
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if len(o.Reingest) > 0 {
		o.Once = true
	}
}

// Worker loads objects from its source into the warehouse. Run it once per
// process and data folder; serve runs it in-process.
type Worker struct {
	o         Options
	man       *manifest
	metrics   *Metrics
	progress  *reporter
	pool      *pool // nil: every object is inserted alone
	bytesRead atomic.Int64
	summary   Summary
	left      idSet // queue messages left for the dead-letter queue (queue.go)

	doneMu sync.Mutex
	done   []*State // loaded objects not yet recorded done
}

// Summary counts what a Worker did since it started.
// Skipped counts objects already recorded (loaded, or failed for good)
// and not tried again; NotLoadable counts entries recorded skipped
// (symlinks, pipes, unreadable files, files that are no log).
type Summary struct {
	Loaded, Failed, Skipped, Expired, NotLoadable atomic.Int64
	Rows, Rejected                                atomic.Int64
	Duplicates, Left                              atomic.Int64 // queue messages: duplicate notifications; left for the dead-letter queue
}

// New checks o and makes a Worker.
func New(o Options) (*Worker, error) {
	if o.Warehouse == nil || o.Source == nil {
		return nil, errors.New("ingest: a warehouse and a source are required")
	}
	if o.Queue != nil && (!o.Since.IsZero() || !o.Until.IsZero()) {
		return nil, errors.New("ingest: --since/--until bound a listing by object time; a queue delivers objects as they are written (use s3:// for a backfill)")
	}
	if o.Format != "" {
		f, err := edgelog.ParseFormat(string(o.Format))
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		o.Format = f // canonical: NewReader matches exact names
	}
	o.fill()
	w := &Worker{o: o, man: &manifest{w: o.Warehouse}, metrics: o.Metrics}
	if w.metrics == nil {
		w.metrics = NewMetrics()
	}
	w.metrics.now = o.Clock.Now
	w.progress = &reporter{w: w, log: o.Log, verbose: o.Verbose}
	if o.InsertRows > 0 && o.Queue == nil {
		w.pool = &pool{w: w, rows: o.InsertRows}
	}
	return w, nil
}

// Summary is what the Worker did so far.
func (w *Worker) Summary() *Summary { return &w.summary }

func (w *Worker) now() time.Time { return w.o.Clock.Now().UTC() }

// Run loads until ctx ends, or after one pass with Once. With Once, objects
// that failed for good make the error.
func (w *Worker) Run(ctx context.Context) error {
	if w.o.Queue != nil && len(w.o.Reingest) == 0 {
		return w.runQueue(ctx)
	}
	for first := true; ; first = false {
		failedBefore := w.summary.Failed.Load()
		err := w.pass(ctx, first)
		if ctx.Err() != nil {
			return nil
		}
		if w.o.Once {
			if n := w.summary.Failed.Load() - failedBefore; err == nil && n > 0 {
				err = fmt.Errorf("%d objects failed (opsbot ingest status lists them)", n)
			}
			return err
		}
		if err != nil {
			fmt.Fprintf(w.o.Log, "ingest: %v (next try in %s)\n", err, w.o.Interval)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.o.Clock.After(w.o.Interval):
		}
	}
}

// pass lists the source once and loads what the manifest lacks.
func (w *Worker) pass(ctx context.Context, first bool) error {
	todo, err := w.plan(ctx, first)
	if err != nil {
		return err
	}
	if err := w.queue(ctx, todo); err != nil {
		return err
	}
	w.progress.start(todo)
	defer w.progress.finish()
	err = each(ctx, w.o.Workers, todo, func(t *task) { w.tryHard(ctx, t) })
	if w.pool != nil {
		if perr := w.pool.flush(ctx); err == nil {
			err = perr
		}
	}
	// Record what is loaded even when ctx ended: a restart then skips it.
	if ferr := w.flushDone(context.WithoutCancel(ctx)); ferr != nil {
		return ferr
	}
	return err
}

// each runs fn over items on n goroutines, stopping early when ctx ends.
func each[T any](ctx context.Context, n int, items []T, fn func(T)) error {
	jobs := make(chan T)
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			for it := range jobs {
				fn(it)
			}
		}()
	}
	for _, it := range items {
		select {
		case jobs <- it:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	for range n {
		<-done
	}
	return ctx.Err()
}

// doneBatch is how many loaded objects are recorded done in one write.
const doneBatch = 64

// recordDone records a loaded queued object as done, in bulk with others.
// Recording late is safe: a restart before it loads the object again under
// the same deduplication tokens, which inserts nothing.
func (w *Worker) recordDone(ctx context.Context, s *State) error {
	w.doneMu.Lock()
	c := *s
	w.done = append(w.done, &c)
	full := len(w.done) >= doneBatch
	w.doneMu.Unlock()
	if full {
		return w.flushDone(ctx)
	}
	return nil
}

func (w *Worker) flushDone(ctx context.Context) error {
	w.doneMu.Lock()
	states := w.done
	w.done = nil
	w.doneMu.Unlock()
	if err := w.man.writeMany(ctx, states); err != nil {
		return fmt.Errorf("record %d loaded objects: %w", len(states), err)
	}
	return nil
}
