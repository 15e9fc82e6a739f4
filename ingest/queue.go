package ingest

import (
	"context"
	"fmt"
	"time"
)

// runQueue loads the objects that S3 event notifications name, message by
// message. A message is deleted only once every object it names is
// recorded in the manifest as loaded, expired or failed for good; a message
// whose object failed and may still succeed comes back after a backoff.
func (w *Worker) runQueue(ctx context.Context) error {
	failedBefore := w.summary.Failed.Load()
	for {
		msgs, err := w.o.Queue.Receive(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && w.o.Once:
			return err
		case err != nil:
			w.progress.logf("ingest: %v (next try in %s)", err, w.o.Interval)
			select {
			case <-ctx.Done():
				return nil
			case <-w.o.After(w.o.Interval):
			}
			continue
		case len(msgs) == 0 && w.o.Once:
			if n := w.summary.Failed.Load() - failedBefore; n > 0 {
				return fmt.Errorf("%d objects failed (opsbot ingest status lists them)", n)
			}
			return nil
		}
		each(ctx, w.o.Workers, msgs, func(m Message) { w.handle(ctx, m) })
	}
}

// handle loads one message's objects, keeping the message hidden from
// other consumers meanwhile, then deletes it or lets it come back later.
func (w *Worker) handle(ctx context.Context, m Message) {
	if m.Err != nil {
		w.progress.logf("message %s left on %s for its dead-letter queue: %v", m.ID, w.o.Queue, m.Err)
		return
	}
	stop := w.keepHidden(ctx, m)
	settled, attempts := true, 0
	for _, o := range m.Objects {
		ok, n := w.settle(ctx, o)
		settled, attempts = settled && ok, max(attempts, n)
	}
	stop()
	if ctx.Err() != nil {
		return // the message comes back after its visibility timeout
	}
	if !settled {
		d := min(w.o.Backoff<<min(max(attempts-1, 0), 20), 12*time.Hour) // the shift is capped: no overflow
		if err := w.o.Queue.Extend(ctx, m, d); err != nil {
			w.progress.logf("%v", err)
		}
		return
	}
	if err := w.o.Queue.Delete(ctx, m); err != nil {
		w.progress.logf("%v (the message will come back; its objects are loaded and will be skipped)", err)
	}
}

// settle loads o once if the manifest lacks it; it says whether o is now
// recorded for good (loaded, expired, failed for good) and how many times
// it was tried.
func (w *Worker) settle(ctx context.Context, o Object) (bool, int) {
	states, err := w.man.lookup(ctx, o.Bucket, []string{o.Key})
	if err != nil {
		w.progress.logf("%v", err)
		return false, 0
	}
	t, err := w.decide(ctx, o, states[o.Key])
	if err != nil {
		w.progress.logf("%v", err)
		return false, 0
	}
	if t == nil {
		return true, 0
	}
	if err := w.process(ctx, t); err != nil && !w.gaveUp(t.state) {
		w.progress.logf("failed %s (attempt %d/%d): %v; the message comes back later", t.state.Name(), t.state.Attempts, w.o.MaxAttempts, err)
		return false, t.state.Attempts
	}
	return true, t.state.Attempts
}

// keepHidden extends m's visibility timeout every half timeout until stop
// is called, so that no other consumer takes a large object still being
// read.
func (w *Worker) keepHidden(ctx context.Context, m Message) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.o.After(w.o.Visibility / 2):
			}
			if err := w.o.Queue.Extend(ctx, m, w.o.Visibility); err != nil && ctx.Err() == nil {
				w.progress.logf("%v", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}
