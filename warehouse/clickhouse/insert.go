package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/opsbot/opsbot/warehouse"
)

// Insert appends rec to table as one native-protocol batch, column by
// column. A batch that failed to send cannot be re-sent, so a retry (by the
// caller) rebuilds it from rec; the dedup token makes that retry safe.
func (w *Warehouse) Insert(ctx context.Context, table string, rec arrow.Record, opts warehouse.InsertOptions) error {
	return w.InsertMany(ctx, table, []arrow.Record{rec}, opts)
}

// InsertMany sends records of one schema as one batch: one INSERT, one
// block on the server.
func (w *Warehouse) InsertMany(ctx context.Context, table string, recs []arrow.Record, opts warehouse.InsertOptions) error {
	rows := warehouse.Rows(recs)
	if rows == 0 {
		return nil
	}
	settings := map[string]string{}
	if opts.DedupToken != "" {
		settings["insert_deduplication_token"] = opts.DedupToken
	}
	names := make([]string, recs[0].NumCols())
	for i, f := range recs[0].Schema().Fields() {
		names[i] = "`" + strings.ReplaceAll(f.Name, "`", "``") + "`"
	}
	sql := fmt.Sprintf("INSERT INTO `%s` (%s)", table, strings.Join(names, ", "))
	batch, err := w.conn.PrepareBatch(queryCtx(ctx, nil, settings), sql)
	if err != nil {
		return fmt.Errorf("prepare batch %s: %w", table, err)
	}
	defer batch.Abort()
	for _, rec := range recs {
		if err := appendRecord(batch, rec); err != nil {
			return err
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send batch %s: %w", table, err)
	}
	return nil
}

func appendRecord(batch driver.Batch, rec arrow.Record) error {
	for i, col := range rec.Columns() {
		vals, err := goSlice(col)
		if err != nil {
			return fmt.Errorf("column %s: %w", rec.Schema().Field(i).Name, err)
		}
		if err := batch.Column(i).Append(vals); err != nil {
			return fmt.Errorf("append column %s: %w", rec.Schema().Field(i).Name, err)
		}
	}
	return nil
}

// goSlice converts one Arrow column to the slice type clickhouse-go
// appends: values for required columns, pointers where the column has nulls.
func goSlice(a arrow.Array) (any, error) {
	switch c := a.(type) {
	case *array.String:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.LargeString:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Binary:
		return values(c.Len(), c.IsNull, c.ValueString), nil
	case *array.Dictionary:
		return dictionary(c)
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return values(c.Len(), c.IsNull, func(i int) time.Time { return c.Value(i).ToTime(unit).UTC() }), nil
	case *array.Uint8:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Uint16:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Uint32:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Uint64:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Int32:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Int64:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Float32:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Float64:
		return values(c.Len(), c.IsNull, c.Value), nil
	case *array.Boolean:
		return values(c.Len(), c.IsNull, c.Value), nil
	}
	return nil, fmt.Errorf("arrow type %s not supported", a.DataType())
}

// values returns []T, or []*T when some value is null.
func values[T any](n int, isNull func(int) bool, get func(int) T) any {
	nulls := false
	for i := 0; i < n && !nulls; i++ {
		nulls = isNull(i)
	}
	if !nulls {
		out := make([]T, n)
		for i := range out {
			out[i] = get(i)
		}
		return out
	}
	out := make([]*T, n)
	for i := range out {
		if !isNull(i) {
			v := get(i)
			out[i] = &v
		}
	}
	return out
}

func dictionary(d *array.Dictionary) (any, error) {
	dict, ok := d.Dictionary().(*array.String)
	if !ok {
		return nil, fmt.Errorf("dictionary of %s not supported", d.Dictionary().DataType())
	}
	return values(d.Len(), d.IsNull, func(i int) string { return dict.Value(d.GetValueIndex(i)) }), nil
}
