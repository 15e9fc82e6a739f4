package stats

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot/warehouse"
)

var statsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "metric", Type: arrow.BinaryTypes.String},
	{Name: "dimension", Type: arrow.BinaryTypes.String},
	{Name: "window", Type: arrow.BinaryTypes.String},
	{Name: "window_start", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "window_end", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64},
	{Name: "collected_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
}, nil)

// Store writes the figures of w into org_stats, collected at. Storing a
// window again replaces its figures when read (ReplacingMergeTree by
// collected_at); the same window and time again adds nothing (the insert's
// deduplication token).
func (s *Stats) Store(ctx context.Context, w Window, at time.Time, secs []Section) error {
	rec := statsRecord(w, at, secs)
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	token := fmt.Sprintf("org_stats@%s@%s@%s", w.Kind, w.Since.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339Nano))
	if err := s.o.Warehouse.Insert(ctx, "org_stats", rec, warehouse.InsertOptions{DedupToken: token}); err != nil {
		return fmt.Errorf("store statistics: %w", err)
	}
	return nil
}

func statsRecord(w Window, at time.Time, secs []Section) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, statsSchema)
	defer b.Release()
	ms := func(t time.Time) arrow.Timestamp { return arrow.Timestamp(t.UTC().UnixMilli()) }
	for _, sec := range secs {
		for _, f := range sec.Figures {
			b.Field(0).(*array.StringBuilder).Append(f.Metric.Name)
			b.Field(1).(*array.StringBuilder).Append(f.Dimension)
			b.Field(2).(*array.StringBuilder).Append(w.Kind)
			b.Field(3).(*array.TimestampBuilder).Append(ms(w.Since))
			b.Field(4).(*array.TimestampBuilder).Append(ms(w.Until))
			b.Field(5).(*array.Float64Builder).Append(f.Value)
			b.Field(6).(*array.TimestampBuilder).Append(ms(at))
		}
	}
	return b.NewRecord()
}

// History is the stored figures of earlier windows: key (the metric's
// name, plus "/dimension" for a broken-down figure) → window start (UTC,
// Unix seconds) → value.
type History map[string]map[int64]float64

// key is where f's figures are kept in a History.
func key(f Figure) string {
	if f.Dimension == "" {
		return f.Metric.Name
	}
	return f.Metric.Name + "/" + f.Dimension
}

// Has says whether any figure of any earlier window is stored.
func (h History) Has() bool { return len(h) > 0 }

// Value is the metric's stored total for the window starting at start.
func (h History) Value(metric string, start time.Time) (float64, bool) {
	v, ok := h[metric][start.Unix()]
	return v, ok
}

// Of is f's metric and dimension stored for the window starting at start.
func (h History) Of(f Figure, start time.Time) (float64, bool) {
	v, ok := h[key(f)][start.Unix()]
	return v, ok
}

// ReadHistory reads the stored figures of windows of kind starting in
// [since, until).
func (s *Stats) ReadHistory(ctx context.Context, kind string, since, until time.Time) (History, error) {
	rows, err := s.run(ctx, "stats_history", Window{Since: since, Until: until}.params("window", kind))
	if err != nil {
		return nil, err
	}
	h := History{}
	for _, r := range rows {
		m := r.S("metric")
		if d := r.S("dimension"); d != "" {
			m += "/" + d
		}
		if h[m] == nil {
			h[m] = map[int64]float64{}
		}
		h[m][warehouse.Time(r.Get("window_start")).Unix()] = r.F("value")
	}
	return h, nil
}
