package slack

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// csvFile renders a whole result as CSV, values exact (no separators, no
// cutting), for the answers too big for messages.
func csvFile(r *opsbot.Result) *opsbot.File {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		head[i] = c.Name
	}
	_ = w.Write(head) // writes to a bytes.Buffer do not fail
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = csvValue(row[i])
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return &opsbot.File{Name: "result.csv", Title: "Every row (CSV)", MimeType: "text/csv", Data: buf.Bytes()}
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = csvValue(e)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}
