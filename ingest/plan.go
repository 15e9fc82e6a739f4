package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// task is one object to load and how.
type task struct {
	state   *State
	replace bool // delete its rows first (re-ingest, or the object changed)
	queued  bool // its generation and batch size are recorded (queued): loading needs no write
	why     string
}

const listPage = 1000

// plan lists the source and returns the objects to load, oldest first.
func (w *Worker) plan(ctx context.Context, first bool) ([]*task, error) {
	if st, ok := w.o.Source.(Stater); ok && len(w.o.Reingest) > 0 {
		return w.planReingest(ctx, st)
	}
	var todo []*task
	var page []Object
	want := map[string]bool{}
	for _, k := range w.o.Reingest {
		want[k] = false
	}
	flush := func() error {
		ts, err := w.decidePage(ctx, page)
		todo, page = append(todo, ts...), page[:0]
		return err
	}
	err := w.o.Source.List(ctx, func(o Object) error {
		if len(want) > 0 {
			if _, ok := want[o.Key]; !ok {
				return nil
			}
			want[o.Key] = true
		} else if !w.wanted(o, first) {
			return nil
		}
		if page = append(page, o); len(page) == listPage {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	for k, found := range want {
		if !found && err == nil {
			err = fmt.Errorf("reingest %s: no such object under %s", k, w.o.Source)
		}
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].state.ObjectTime.Before(todo[j].state.ObjectTime) })
	return todo, err
}

// wanted applies --since/--until (object time) and, after the first pass,
// the look-back window (delivery time).
func (w *Worker) wanted(o Object, first bool) bool {
	t := ObjectTime(o)
	if !w.o.Since.IsZero() && t.Before(w.o.Since) || !w.o.Until.IsZero() && !t.Before(w.o.Until) {
		return false
	}
	if !first && w.o.Since.IsZero() && o.Modified.Before(w.now().Add(-w.o.Lookback)) {
		return false
	}
	return true
}

func (w *Worker) decidePage(ctx context.Context, page []Object) ([]*task, error) {
	if len(page) == 0 {
		return nil, nil
	}
	keys := make([]string, len(page))
	for i, o := range page {
		keys[i] = o.Key
	}
	states, err := w.man.lookup(ctx, page[0].Bucket, keys)
	if err != nil {
		return nil, err
	}
	var out []*task
	for _, o := range page {
		t, err := w.decide(ctx, o, states[o.Key])
		if err != nil {
			return out, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// decide says what to do with a listed object given its manifest state
// (nil when unknown): nothing, load, resume or replace.
func (w *Worker) decide(ctx context.Context, o Object, m *State) (*task, error) {
	s := &State{Object: o, ObjectTime: ObjectTime(o), Generation: 1, BatchRows: w.o.BatchRows}
	reingest := len(w.o.Reingest) > 0
	if o.Skip != nil {
		return nil, w.skip(ctx, s, m, o.Skip)
	}
	if !reingest && w.expired(s) {
		return nil, w.expire(ctx, s, m)
	}
	switch {
	case m == nil:
		return &task{state: s, why: "new"}, nil
	case reingest || m.ETag != o.ETag:
		s.Generation, s.Attempts = m.Generation+1, 0
		why := "re-ingest"
		if !reingest {
			why = "changed since it was loaded"
		}
		return &task{state: s, replace: true, why: why}, nil
	case m.Status == StatusSkipped:
		w.summary.NotLoadable.Add(1)
		return nil, nil
	case m.Status == StatusReplacing:
		s.Generation, s.Attempts = m.Generation, m.Attempts
		return &task{state: s, replace: true, why: "resumed re-ingest"}, nil
	case m.Batch != "" && (m.Status == StatusLoading || m.Status == StatusFailed && m.Attempts < w.o.MaxAttempts):
		return w.settleBatch(ctx, s, m)
	case m.Status == StatusQueued || m.Status == StatusLoading || m.Status == StatusFailed && m.Attempts < w.o.MaxAttempts:
		s.Generation, s.BatchRows, s.Attempts = m.Generation, m.BatchRows, m.Attempts
		return &task{state: s, why: "resumed"}, nil
	}
	w.summary.Skipped.Add(1)
	return nil, nil
}

// settleBatch decides an object left loading (or failed) in a pooled
// insert: its rows in the table mean the batch committed (one part: all or
// nothing), so it is recorded done; none mean it loads again.
func (w *Worker) settleBatch(ctx context.Context, s, m *State) (*task, error) {
	p := opsbot.Params{"k": m.Key}
	res, err := w.o.Warehouse.Query(ctx, "SELECT count() FROM requests WHERE source_object = {k:String}", p)
	if err != nil {
		return nil, fmt.Errorf("look for the rows of %s (batch %s): %w", m.Name(), m.Batch, err)
	}
	if rows := warehouse.Uint64(res.Rows[0][0]); rows > 0 {
		// m.Rejected, recorded with the batch, counts every reject (ingest_rejects stores at most MaxRejectLines).
		m.Status, m.Rows, m.Error, m.Finished = StatusDone, rows, "", w.now()
		w.summary.Skipped.Add(1)
		w.progress.logf("batch %s of %s was committed before the restart: recorded done (%d rows)", m.Batch, m.Name(), rows)
		return nil, w.man.write(ctx, m)
	}
	s.Generation, s.BatchRows, s.Attempts = m.Generation, m.BatchRows, m.Attempts
	return &task{state: s, why: "resumed (its batch was not committed)"}, nil
}

// expired says whether every request in the object is older than the
// retention, so the TTL would drop its rows.
func (w *Worker) expired(s *State) bool {
	if w.o.RetentionDays <= 0 {
		return false
	}
	return s.ObjectTime.Add(time.Hour).Before(w.now().AddDate(0, 0, -w.o.RetentionDays))
}

// expire records (once) that an object was not loaded because of the
// retention, and says so.
func (w *Worker) expire(ctx context.Context, s *State, m *State) error {
	w.summary.Expired.Add(1)
	w.metrics.objects.WithLabelValues(StatusExpired).Inc()
	if m != nil && m.Status == StatusExpired && m.ETag == s.ETag {
		return nil
	}
	s.Status = StatusExpired
	s.Error = fmt.Sprintf("holds requests from %s, older than retention_days=%d: the TTL would drop its rows; not loaded",
		s.ObjectTime.Format("2006-01-02 15:04"), w.o.RetentionDays)
	w.progress.logf("skipped %s: %s", s.Name(), s.Error)
	return w.man.write(ctx, s)
}

// skip records (once per version of the entry) that it cannot be loaded,
// and says so once.
func (w *Worker) skip(ctx context.Context, s, m *State, why *Skip) error {
	w.summary.NotLoadable.Add(1)
	if m != nil && m.Status == StatusSkipped && m.ETag == s.ETag && m.Reason == why.Reason {
		return nil
	}
	w.metrics.objects.WithLabelValues(StatusSkipped).Inc()
	s.Status, s.Reason, s.Error, s.Finished = StatusSkipped, why.Reason, why.Detail, w.now()
	w.progress.logf("skipped %s (%s): %s", s.Name(), why.Reason, why.Detail)
	return w.man.write(ctx, s)
}

// Stater is a Source that can look one object up without listing.
// Stat's error wraps opsbot.ErrNotFound when there is no such object.
type Stater interface {
	Stat(ctx context.Context, bucket, key string) (Object, error)
}

// planReingest looks up the objects to re-ingest by key ("KEY", or
// "s3://BUCKET/KEY" for another bucket than the source's).
func (w *Worker) planReingest(ctx context.Context, st Stater) ([]*task, error) {
	var todo []*task
	for _, k := range w.o.Reingest {
		bucket, key := "", k
		if strings.HasPrefix(k, "s3://") {
			var err error
			if bucket, key, err = ParseS3URL(k); err != nil {
				return todo, err
			}
		}
		o, err := st.Stat(ctx, bucket, key)
		if err != nil {
			return todo, fmt.Errorf("reingest %s: %w", k, err)
		}
		ts, err := w.decidePage(ctx, []Object{o})
		if err != nil {
			return todo, err
		}
		todo = append(todo, ts...)
	}
	return todo, nil
}

// queue records the tasks of a pass as queued, in bulk: each object's
// generation and batch size are then fixed before any of its rows is
// inserted, so loading it needs no write of its own and a restart resumes
// it under the same deduplication tokens.
func (w *Worker) queue(ctx context.Context, todo []*task) error {
	var page []*State
	flush := func() error {
		err := w.man.writeMany(ctx, page)
		page = page[:0]
		if err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		return nil
	}
	for _, t := range todo {
		if t.replace {
			continue
		}
		t.state.Status, t.queued = StatusQueued, true
		if page = append(page, t.state); len(page) == listPage {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
