package ingest

import (
	"context"
	"sync"
)

// flights are a queue worker's messages in flight (received, not yet
// deleted or let go) and the loads they wait for: one per object however
// many messages name it.
type flights struct {
	mu      sync.Mutex
	msgs    int // messages in flight
	busy    int // loads handed to workers and not landed
	loads   map[objectID]*flight
	changed chan struct{} // buffer 1: msgs or busy dropped (one waiter, the receiver)
}

// objectID is an object version: messages naming the same one are
// duplicates.
type objectID struct{ bucket, key, etag string }

func idOf(o Object) objectID { return objectID{o.Bucket, o.Key, o.ETag} }

// flight is one object's load and the messages waiting for it.
type flight struct {
	o    Object
	msgs []*inflight
}

// inflight is one message in flight.
type inflight struct {
	m        Message
	pending  int    // its objects not yet landed
	settled  bool   // every object landed so far is recorded for good
	attempts int    // the most tries of those objects
	stop     func() // ends keepHidden
}

// join puts in in flight: it waits on the loads already in flight for its
// objects (returned as dups) and on fresh ones (to hand to workers).
func (f *flights) join(in *inflight) (fresh []*flight, dups []Object) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs++
	for _, o := range in.m.Objects {
		fl, ok := f.loads[idOf(o)]
		if ok {
			dups = append(dups, o)
			if fl.has(in) {
				continue // named twice in one message
			}
		} else {
			fl = &flight{o: o}
			f.loads[idOf(o)] = fl
			fresh = append(fresh, fl)
		}
		fl.msgs = append(fl.msgs, in)
		in.pending++
	}
	return fresh, dups
}

func (fl *flight) has(in *inflight) bool {
	for _, x := range fl.msgs {
		if x == in {
			return true
		}
	}
	return false
}

// land ends fl with its outcome and returns the messages that now wait
// for nothing. Call done for each once it is concluded.
func (f *flights) land(fl *flight, ok bool, attempts int) (ready []*inflight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.loads, idOf(fl.o))
	for _, in := range fl.msgs {
		in.settled, in.attempts = in.settled && ok, max(in.attempts, attempts)
		if in.pending--; in.pending == 0 {
			ready = append(ready, in)
		}
	}
	return ready
}

// acquire waits for one of n workers to be free and takes it.
func (f *flights) acquire(ctx context.Context, n int) bool {
	if !f.waitFor(ctx, func() bool { return f.busy < n }) {
		return false
	}
	f.mu.Lock()
	f.busy++
	f.mu.Unlock()
	return true
}

// releaseWorker frees a worker taken by acquire.
func (f *flights) releaseWorker() {
	f.mu.Lock()
	f.busy--
	f.mu.Unlock()
	f.signal()
}

// done ends a message in flight.
func (f *flights) done() {
	f.mu.Lock()
	f.msgs--
	f.mu.Unlock()
	f.signal()
}

func (f *flights) idle() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgs == 0
}

func (f *flights) signal() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until cond (called under the lock) holds; false when ctx
// ended first. Only the receiving goroutine waits.
func (f *flights) waitFor(ctx context.Context, cond func() bool) bool {
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-f.changed:
		case <-ctx.Done():
			return false
		}
	}
}
