package query

import (
	"encoding/json"
	"io"
	"strings"

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

func joinWords(w []string) string { return strings.Join(w, " ") }

func names(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		out[j] = c.Name
	}
	return out
}
