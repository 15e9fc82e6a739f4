package query

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
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
// raw (no separators, no cutting), times in RFC 3339. Decoded, every
// string is exact (encoding/json turns invalid UTF-8 into U+FFFD); DEL, C1,
// bidi and other format characters are written as \u escapes
// (text.EscapeJSON), so the JSON read on a terminal cannot act on it.
func WriteJSON(w io.Writer, title, sqlText string, params opsbot.Params, r *opsbot.Result) error {
	rows := r.Rows
	if rows == nil {
		rows = [][]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Answer{Title: title, SQL: sqlText, Params: params, Columns: names(r), Rows: rows}); err != nil {
		return err
	}
	_, err := w.Write(text.EscapeJSON(buf.Bytes()))
	return err
}

func joinWords(w []string) string { return strings.Join(w, " ") }

func names(r *opsbot.Result) []string {
	out := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		out[j] = c.Name
	}
	return out
}
