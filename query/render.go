package query

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Answer is the JSON form of an answer.
type Answer struct {
	Title   string        `json:"title"`
	SQL     string        `json:"sql"`
	Params  opsbot.Params `json:"params"`
	Columns []string      `json:"columns"`
	Rows    [][]any       `json:"rows"`
}

// WriteJSON writes {"title","sql","params","columns","rows"}; values are
// raw (no separators, no cutting), times in RFC 3339.
func WriteJSON(w io.Writer, title, sqlText string, params opsbot.Params, r *opsbot.Result) error {
	rows := r.Rows
	if rows == nil {
		rows = [][]any{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Answer{Title: title, SQL: sqlText, Params: params, Columns: names(r), Rows: rows})
}

// WriteCSV writes a header row then the rows, values raw.
func WriteCSV(w io.Writer, r *opsbot.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(names(r)); err != nil {
		return err
	}
	for _, row := range r.Rows {
		rec := make([]string, len(row))
		for j, v := range row {
			rec[j] = rawValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func rawValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func joinWords(w []string) string { return strings.Join(w, " ") }

func names(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		out[j] = c.Name
	}
	return out
}
