package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
)

// maxReceive is the most messages one Receive returns (SQS's limit).
const maxReceive = 10

// runQueue loads the objects that S3 event notifications name. It receives
// again whenever a worker is free, so that one slow object delays only its
// own message; at most Workers × maxReceive messages are in flight.
//
// A message is deleted only once every object it names is recorded in the
// manifest as loaded, expired or failed for good; a message whose object
// failed and may still succeed comes back after a backoff. An object that
// several messages in flight name (same bucket, key and ETag: S3 delivers
// at least once) is loaded once; those messages are deleted when that load
// is done and counted as duplicates. A message that is no S3 notification
// is left for the queue's dead-letter queue (see leave).
func (w *Worker) runQueue(ctx context.Context) error {
	failedBefore := w.summary.Failed.Load()
	f := &flights{loads: map[objectID]*flight{}, changed: make(chan struct{}, 1)}
	jobs := make(chan *flight)
	var wg sync.WaitGroup
	for range w.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fl := range jobs {
				ok, n := w.settle(ctx, fl.o)
				w.landed(ctx, f, fl, ok, n)
				f.releaseWorker()
			}
		}()
	}
	err := w.receive(ctx, f, jobs)
	close(jobs)
	wg.Wait()
	s := &w.summary
	w.progress.logf("queue %s: %d duplicate notifications (loaded once), %d messages left for the dead-letter queue",
		w.o.Queue, s.Duplicates.Load(), s.Left.Load())
	if n := s.Failed.Load() - failedBefore; err == nil && w.o.Once && n > 0 {
		err = fmt.Errorf("%d objects failed (opsbot ingest status lists them)", n)
	}
	return err
}

// receive receives messages while a worker is free and fewer than
// Workers × maxReceive messages are in flight, and hands their loads to
// jobs. With Once it returns when the queue is drained.
func (w *Worker) receive(ctx context.Context, f *flights, jobs chan<- *flight) error {
	bound := w.o.Workers * maxReceive
	for {
		if !f.waitFor(ctx, func() bool { return f.busy < w.o.Workers && f.msgs+maxReceive <= bound }) {
			return nil
		}
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
			case <-w.o.Clock.After(w.o.Interval):
			}
			continue
		case len(msgs) == 0 && w.o.Once:
			// Drained, unless messages in flight come back (a failed object).
			if f.idle() || !f.waitFor(ctx, func() bool { return f.msgs == 0 }) {
				return nil
			}
			continue
		}
		for _, m := range msgs {
			w.take(ctx, f, jobs, m)
		}
	}
}

// take starts on one received message: leaves it, deletes it (it names no
// object), or puts it in flight and hands the loads it needs to workers.
func (w *Worker) take(ctx context.Context, f *flights, jobs chan<- *flight, m Message) {
	switch {
	case m.Err != nil:
		w.leave(ctx, m)
		return
	case len(m.Objects) == 0: // s3:TestEvent, removals
		w.deleteMessage(ctx, m)
		return
	}
	in := &inflight{m: m, settled: true, stop: w.keepHidden(ctx, m)}
	fresh, dups := f.join(in)
	for _, o := range dups {
		w.summary.Duplicates.Add(1)
		w.metrics.duplicates.Inc()
		w.progress.logf("message %s names %s again (ETag %s), already being loaded: loaded once, the message deleted after", m.ID, o.Name(), o.ETag)
	}
	for _, fl := range fresh {
		if !f.acquire(ctx, w.o.Workers) {
			w.landed(ctx, f, fl, false, 0) // never started: the message comes back
			continue
		}
		select {
		case jobs <- fl:
		case <-ctx.Done():
			f.releaseWorker()
			w.landed(ctx, f, fl, false, 0)
		}
	}
}

// landed records fl's outcome for the messages waiting on it and ends
// those that wait for nothing more.
func (w *Worker) landed(ctx context.Context, f *flights, fl *flight, ok bool, attempts int) {
	for _, in := range f.land(fl, ok, attempts) {
		w.conclude(ctx, in)
		f.done()
	}
}

// conclude deletes a message whose objects are all recorded for good, or
// hides it for a backoff when one may still load.
func (w *Worker) conclude(ctx context.Context, in *inflight) {
	in.stop()
	if ctx.Err() != nil {
		return // the message comes back after its visibility timeout
	}
	if !in.settled {
		d := min(w.o.Backoff<<min(max(in.attempts-1, 0), 20), 12*time.Hour) // the shift is capped: no overflow
		if err := w.o.Queue.Extend(ctx, in.m, d); err != nil {
			w.progress.logf("%v", err)
		}
		return
	}
	w.deleteMessage(ctx, in.m)
}

func (w *Worker) deleteMessage(ctx context.Context, m Message) {
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
		w.logUnlessCanceled(ctx, err)
		return false, 0
	}
	t, err := w.decide(ctx, o, states[o.Key])
	if err != nil {
		w.logUnlessCanceled(ctx, err)
		return false, 0
	}
	if t == nil {
		return true, 0
	}
	if err := w.process(ctx, t); err != nil && !w.gaveUp(t.state) {
		if ctx.Err() == nil {
			w.progress.logf("failed %s (attempt %d/%d): %v; the message comes back later", t.state.Name(), t.state.Attempts, w.o.MaxAttempts, err)
		}
		return false, t.state.Attempts
	}
	return true, t.state.Attempts
}

func (w *Worker) logUnlessCanceled(ctx context.Context, err error) {
	if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		w.progress.logf("%v", err)
	}
}

// keepHidden extends m's visibility timeout every half timeout until stop
// is called, so that no other consumer takes a message in flight (its
// object still being read, or waiting for a worker).
func (w *Worker) keepHidden(ctx context.Context, m Message) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.o.Clock.After(w.o.Visibility / 2):
			}
			if err := w.o.Queue.Extend(ctx, m, w.o.Visibility); err != nil && ctx.Err() == nil {
				w.progress.logf("%v", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// leave lets a message that is no S3 notification be: not deleted, its
// visibility not extended, so that after maxReceiveCount receives the
// queue's redrive policy moves it to its dead-letter queue. It is logged,
// counted and recorded in ingest_messages (for ingest status) once per
// message id, however often it comes back.
func (w *Worker) leave(ctx context.Context, m Message) {
	if !w.left.add(m.ID) {
		return
	}
	w.summary.Left.Add(1)
	w.metrics.left.WithLabelValues(leftReason(m.Err)).Inc()
	w.progress.logf("message %s left on %s for its dead-letter queue: %v", m.ID, w.o.Queue, m.Err)
	err := w.o.Warehouse.Exec(ctx, "INSERT INTO ingest_messages (queue, message_id, reason, seen_at) VALUES ({q:String}, {id:String}, {r:String}, {t:DateTime64(3)})",
		opsbot.Params{"q": w.o.Queue.String(), "id": m.ID, "r": m.Err.Error(), "t": tparam(w.now())})
	if err != nil && ctx.Err() == nil {
		w.progress.logf("record message %s left: %v", m.ID, err)
	}
}

// leftReason is the metric label of why a message was left.
func leftReason(err error) string {
	if errors.Is(err, errNotJSON) {
		return "not_json"
	}
	return "not_s3"
}

// maxLeftIDs bounds the message ids a worker remembers having left.
const maxLeftIDs = 10_000

// idSet remembers up to maxLeftIDs ids, forgetting the oldest first.
type idSet struct {
	mu    sync.Mutex
	set   map[string]bool
	order []string
}

// add says whether id is new, and remembers it.
func (s *idSet) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set[id] {
		return false
	}
	if s.set == nil {
		s.set = map[string]bool{}
	}
	if len(s.order) >= maxLeftIDs {
		delete(s.set, s.order[0])
		s.order = s.order[1:]
	}
	s.set[id] = true
	s.order = append(s.order, id)
	return true
}
