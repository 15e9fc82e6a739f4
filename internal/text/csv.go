package text

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// WriteCSV writes a header row then every row with raw values: no
// separators, no cutting, floats without exponents, times in RFC 3339 (UTC),
// lists joined by ";"; each cell through CSVCell (control and bidi
// characters escaped, formulas defused). `opsbot ask --format csv` and
// Slack's CSV attachments both use it, so one answer exports the same
// everywhere.
func WriteCSV(w io.Writer, r *opsbot.Result) error {
	cw := csv.NewWriter(w)
	header := names(r)
	for j := range header {
		header[j] = CSVCell(header[j])
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for j := range rec {
			rec[j] = ""
			if j < len(row) {
				rec[j] = CSVCell(Raw(row[j]))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Raw renders a value exactly, for machines: unescaped, so whatever shows
// it to people passes it through Visible or CSVCell.
func Raw(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Raw(e)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}
