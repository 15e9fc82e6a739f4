package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Report is how ingest is doing, from the manifest and the requests table.
type Report struct {
	LastObject   string    // newest object loaded
	LastLoaded   time.Time // when it was loaded
	Newest       time.Time // newest request time stored
	Lag          time.Duration
	RowsToday    uint64 // requests since midnight (in now's location)
	ByStatus     map[string]uint64
	RejectsToday uint64
	Failures     []State // failed objects, newest first (at most 20)
	Skipped      []State // entries that cannot be loaded, newest first (at most 20); Reason says why
	MessagesLeft uint64  // queue messages left for the dead-letter queue (not S3 notifications)
}

// Status reads the report. now sets "today" and the lag.
func Status(ctx context.Context, w warehouse.Warehouse, now time.Time) (*Report, error) {
	r := &Report{ByStatus: map[string]uint64{}}
	y, m, d := now.Date()
	p := opsbot.Params{"today": tparam(time.Date(y, m, d, 0, 0, 0, 0, now.Location()))}
	steps := []struct {
		sql string
		fn  func([]any) error
	}{
		{"SELECT argMax(key, finished_at), max(finished_at) FROM ingest_objects FINAL WHERE status = 'done'", func(v []any) error {
			r.LastObject, r.LastLoaded = warehouse.String(v[0]), tm(v[1])
			return nil
		}},
		{"SELECT status, count() FROM ingest_objects FINAL GROUP BY status", func(v []any) error {
			r.ByStatus[warehouse.String(v[0])] = warehouse.Uint64(v[1])
			return nil
		}},
		{"SELECT max(ts), countIf(ts >= {today:DateTime64(3)}) FROM requests", func(v []any) error {
			r.Newest, r.RowsToday = tm(v[0]), warehouse.Uint64(v[1])
			return nil
		}},
		{"SELECT count() FROM ingest_rejects WHERE time >= {today:DateTime64(3)}", func(v []any) error {
			r.RejectsToday = warehouse.Uint64(v[0])
			return nil
		}},
		{"SELECT " + stateCols + " FROM ingest_objects FINAL WHERE status = 'failed' ORDER BY finished_at DESC LIMIT 20", func(v []any) error {
			s, err := scanState(v)
			if err == nil {
				r.Failures = append(r.Failures, *s)
			}
			return err
		}},
		{"SELECT " + stateCols + " FROM ingest_objects FINAL WHERE status = 'skipped' ORDER BY finished_at DESC LIMIT 20", func(v []any) error {
			s, err := scanState(v)
			if err == nil {
				r.Skipped = append(r.Skipped, *s)
			}
			return err
		}},
		{"SELECT count() FROM ingest_messages FINAL", func(v []any) error { r.MessagesLeft = warehouse.Uint64(v[0]); return nil }},
	}
	for _, s := range steps {
		res, err := w.Query(ctx, s.sql, p, warehouse.ReadOnly())
		if err != nil {
			return nil, fmt.Errorf("ingest status: %w", err)
		}
		for _, v := range res.Rows {
			if err := s.fn(v); err != nil {
				return nil, fmt.Errorf("ingest status: %w", err)
			}
		}
	}
	if !r.Newest.IsZero() {
		r.Lag = now.Sub(r.Newest)
	}
	return r, nil
}

// Write prints the report for a terminal.
func (r *Report) Write(out io.Writer) {
	if r.LastObject == "" {
		fmt.Fprintln(out, "last object:  none loaded yet")
	} else {
		fmt.Fprintf(out, "last object:  %s (loaded %s)\n", r.LastObject, r.LastLoaded.Format(time.RFC3339))
	}
	if r.Newest.IsZero() {
		fmt.Fprintln(out, "lag:          no requests stored")
	} else {
		fmt.Fprintf(out, "lag:          %s (newest request %s)\n", r.Lag.Round(time.Second), r.Newest.Format(time.RFC3339))
	}
	fmt.Fprintf(out, "rows today:   %d (%d lines rejected)\n", r.RowsToday, r.RejectsToday)
	var parts []string
	for _, s := range []string{StatusDone, StatusQueued, StatusLoading, StatusReplacing, StatusFailed, StatusExpired, StatusSkipped} {
		if n := r.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	fmt.Fprintf(out, "objects:      %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(out, "failures:     %d\n", len(r.Failures))
	for _, f := range r.Failures {
		fmt.Fprintf(out, "  %s  attempts %d  %s\n", f.Name(), f.Attempts, f.Error)
	}
	if n := r.ByStatus[StatusSkipped]; n > 0 {
		fmt.Fprintf(out, "skipped:      %d (not loaded until they change; newest %d below)\n", n, len(r.Skipped))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(out, "  %s  %s: %s\n", s.Name(), s.Reason, s.Error)
	}
	fmt.Fprintf(out, "messages:     %d left for the dead-letter queue (not S3 notifications)\n", r.MessagesLeft)
}
