package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/ingest/edgelog"
)

// tryHard loads t, retrying failures with exponential backoff up to
// MaxAttempts tries in all (counting earlier runs).
func (w *Worker) tryHard(ctx context.Context, t *task) {
	b := w.backoff()
	for {
		err := w.process(ctx, t)
		if err == nil || ctx.Err() != nil || w.gaveUp(t.state) {
			return
		}
		d := b.NextBackOff()
		w.progress.logf("failed %s (attempt %d/%d): %v; retrying in %s", t.state.Name(), t.state.Attempts, w.o.MaxAttempts, err, d)
		select {
		case <-ctx.Done():
			return
		case <-w.o.Clock.After(d):
		}
	}
}

func (w *Worker) backoff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.Multiplier, b.RandomizationFactor = w.o.Backoff, 2, 0.1
	b.MaxInterval, b.MaxElapsedTime = 5*time.Minute, 0
	b.Reset()
	return b
}

func (w *Worker) gaveUp(s *State) bool {
	return s.Status == StatusFailed && s.Attempts >= w.o.MaxAttempts
}

// process makes one attempt at t and records its outcome in the manifest.
func (w *Worker) process(ctx context.Context, t *task) error {
	s := t.state
	s.Attempts++
	s.Started, s.Finished, s.Error, s.Rows, s.Rejected = w.now(), time.Time{}, "", 0, 0
	if t.replace {
		if err := w.replace(ctx, s); err != nil {
			return w.failed(ctx, s, err)
		}
		t.replace = false
	}
	if !t.queued { // pin generation and batch size before any insert
		s.Status = StatusLoading
		if err := w.man.write(ctx, s); err != nil {
			return w.failed(ctx, s, err)
		}
	}
	t0 := w.now()
	res, err := w.load(ctx, t)
	if res.pooled && err == nil {
		return nil // the pool records it once its batch is committed
	}
	s.Format, s.Rows, s.Rejected = string(res.format), res.rows, res.rejected
	if err != nil {
		return w.failed(ctx, s, err)
	}
	record := w.man.write
	if t.queued {
		record = w.recordDone
	}
	return w.finish(ctx, t, t0, record)
}

// finish records a loaded object as done with record and counts it.
func (w *Worker) finish(ctx context.Context, t *task, t0 time.Time, record func(context.Context, *State) error) error {
	s := t.state
	s.Status, s.Finished = StatusDone, w.now()
	if err := record(ctx, s); err != nil {
		return w.failed(ctx, s, err)
	}
	w.summary.Loaded.Add(1)
	w.summary.Rows.Add(int64(s.Rows))
	w.summary.Rejected.Add(int64(s.Rejected))
	w.metrics.done(s)
	w.progress.done(s, t, s.Finished.Sub(t0))
	return nil
}

// replace deletes the object's rows and rejects (of any earlier load) so
// that loading it again under the next generation never doubles them.
func (w *Worker) replace(ctx context.Context, s *State) error {
	s.Status = StatusReplacing
	if err := w.man.write(ctx, s); err != nil {
		return err
	}
	p := opsbot.Params{"k": s.Key, "b": s.Bucket}
	if err := w.o.Warehouse.Exec(ctx, "DELETE FROM requests WHERE source_object = {k:String}", p); err != nil {
		return fmt.Errorf("delete rows of %s: %w", s.Name(), err)
	}
	if err := w.o.Warehouse.Exec(ctx, "DELETE FROM ingest_rejects WHERE bucket = {b:String} AND object = {k:String}", p); err != nil {
		return fmt.Errorf("delete rejects of %s: %w", s.Name(), err)
	}
	return nil
}

// failed records a failed attempt. An entry that cannot be loaded (a Skip,
// or an object of unknown format) is recorded skipped instead: trying
// again cannot help.
func (w *Worker) failed(ctx context.Context, s *State, err error) error {
	if ctx.Err() != nil {
		return err // interrupted, not failed: the next run resumes it
	}
	if why := skipOf(err); why != nil {
		return w.skip(ctx, s, nil, why)
	}
	s.Status, s.Error, s.Finished = StatusFailed, err.Error(), w.now()
	if permanent(err) {
		s.Attempts = max(s.Attempts, w.o.MaxAttempts)
	}
	if werr := w.man.write(ctx, s); werr != nil {
		err = errors.Join(err, werr)
	}
	w.metrics.objects.WithLabelValues(StatusFailed).Inc()
	if w.gaveUp(s) {
		w.summary.Failed.Add(1)
		w.progress.logf("gave up on %s after %d attempts: %v", s.Name(), s.Attempts, err)
	}
	return err
}

// skipOf is the Skip err holds or means, or nil.
func skipOf(err error) *Skip {
	var why *Skip
	switch {
	case errors.As(err, &why):
		return why
	case errors.Is(err, edgelog.ErrUnknownFormat):
		return &Skip{Reason: SkipNotLog, Detail: err.Error() + " (opsbot ingest --format names the format, if it is a log)"}
	}
	return nil
}
