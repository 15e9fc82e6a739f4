package chdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// jsonCompact is ClickHouse's JSONCompact output.
type jsonCompact struct {
	Meta []opsbot.Column     `json:"meta"`
	Data [][]json.RawMessage `json:"data"`
}

func decodeJSONCompact(b []byte) (*opsbot.Result, error) {
	res := &opsbot.Result{Rows: [][]any{}}
	if len(bytes.TrimSpace(b)) == 0 {
		return res, nil
	}
	var jc jsonCompact
	if err := json.Unmarshal(b, &jc); err != nil {
		return nil, err
	}
	res.Columns = jc.Meta
	for _, raw := range jc.Data {
		row, err := decodeRow(jc.Meta, raw)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func decodeRow(cols []opsbot.Column, raw []json.RawMessage) ([]any, error) {
	if len(raw) != len(cols) {
		return nil, fmt.Errorf("row has %d values for %d columns", len(raw), len(cols))
	}
	row := make([]any, len(raw))
	for i, r := range raw {
		v, err := decodeValue(cols[i].Type, r)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// decodeValue turns one JSON value of ClickHouse type typ into the Go value
// opsbot.Result documents.
func decodeValue(typ string, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	typ = warehouse.BaseType(typ)
	if strings.HasPrefix(typ, "Array(") {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		inner := typ[len("Array(") : len(typ)-1]
		out := make([]any, len(items))
		for i, it := range items {
			v, err := decodeValue(inner, it)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return decodeScalar(typ, raw)
}

func decodeScalar(typ string, raw json.RawMessage) (any, error) {
	switch kind := warehouse.Kind(typ); kind {
	case warehouse.KindInt, warehouse.KindUint, warehouse.KindFloat:
		return decodeNumber(kind, string(bytes.Trim(raw, `"`)))
	case warehouse.KindBool:
		return string(raw) == "true", nil
	case warehouse.KindTime:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return parseTime(s)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(raw), nil // tuples, maps: keep their JSON
	}
	return s, nil
}

func decodeNumber(kind warehouse.TypeKind, s string) (any, error) {
	switch kind {
	case warehouse.KindInt:
		return strconv.ParseInt(s, 10, 64)
	case warehouse.KindUint:
		return strconv.ParseUint(s, 10, 64)
	}
	return strconv.ParseFloat(s, 64)
}

var timeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02"}

// parseTime reads ClickHouse's text form of Date, DateTime and DateTime64;
// the session runs in UTC.
func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}
