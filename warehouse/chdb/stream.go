package chdb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// withSettings appends the limits as a SETTINGS clause.
func withSettings(sql string, l warehouse.QueryLimits) string {
	s := l.Settings()
	if len(s) == 0 {
		return sql
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.TrimRight(strings.TrimSpace(sql), ";"))
	b.WriteString("\nSETTINGS ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = '%s'", k, s[k])
	}
	return b.String()
}

// Stream runs a SELECT and hands rows to fn one at a time, fetching the
// answer from the engine block by block.
func (w *Warehouse) Stream(ctx context.Context, sql string, params opsbot.Params, fn func(row []any) error, opts ...warehouse.QueryOption) ([]opsbot.Column, error) {
	if err := checkText(sql); err != nil {
		return nil, err
	}
	names, values := splitParams(params)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, warehouse.ErrClosed
	}
	st := cStream(w.conn, withSettings(sql, warehouse.Limits(opts)), "JSONCompactEachRowWithNamesAndTypes", names, values)
	defer st.free()
	if err := st.err(); err != nil {
		return nil, err
	}
	d := &rowDecoder{fn: fn}
	for chunks := 0; ; chunks++ {
		if err := ctx.Err(); err != nil {
			cCancel(w.conn, st)
			return d.cols, err
		}
		chunk := cFetch(w.conn, st)
		err, data := chunk.err(), chunk.bytes()
		chunk.free()
		if err != nil && chunks > 0 && strings.Contains(err.Error(), endOfStream) {
			return d.cols, d.flush() // chDB 26.5 errors on a fetch past the end
		}
		if err != nil {
			return d.cols, err
		}
		if len(data) == 0 {
			return d.cols, d.flush()
		}
		if err := d.write(data); err != nil {
			cCancel(w.conn, st)
			return d.cols, err
		}
	}
}

// endOfStream is what chDB 26.5 says when a stream whose rows were all
// fetched is fetched again (26.7 returns an empty chunk instead).
const endOfStream = "No active streaming query"

// rowDecoder reads JSONCompactEachRowWithNamesAndTypes chunks: each chunk
// starts with the names and types lines again, then one JSON array per row.
type rowDecoder struct {
	partial []byte
	names   []string
	cols    []opsbot.Column
	header  int // header lines still to skip in this chunk
	fn      func([]any) error
}

func (d *rowDecoder) write(b []byte) error {
	if d.cols != nil && len(d.partial) == 0 {
		d.header = 2
	}
	d.partial = append(d.partial, b...)
	for {
		i := bytes.IndexByte(d.partial, '\n')
		if i < 0 {
			return nil
		}
		line := d.partial[:i]
		if err := d.line(line); err != nil {
			return err
		}
		d.partial = d.partial[i+1:]
	}
}

func (d *rowDecoder) flush() error {
	if len(bytes.TrimSpace(d.partial)) == 0 {
		return nil
	}
	return d.line(d.partial)
}

func (d *rowDecoder) line(line []byte) error {
	if d.header > 0 {
		d.header--
		return nil
	}
	if d.names == nil {
		return json.Unmarshal(line, &d.names)
	}
	if d.cols == nil {
		var types []string
		if err := json.Unmarshal(line, &types); err != nil {
			return err
		}
		for i, n := range d.names {
			d.cols = append(d.cols, opsbot.Column{Name: n, Type: types[i]})
		}
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return err
	}
	row, err := decodeRow(d.cols, raw)
	if err != nil {
		return err
	}
	return d.fn(row)
}
