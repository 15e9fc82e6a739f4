package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/internal/text/texttest"
	"github.com/opsbot/opsbot/query"
)

// TestAskFormatsShowNoRawControls: `opsbot ask` prints texttest.Reply as a
// table and as CSV with no raw control or bidi character (the table row of
// the measured path escaped), and as JSON that decodes to the exact
// strings, invalid UTF-8 aside (encoding/json writes U+FFFD per bad byte),
// itself free of raw DEL, C1 and bidi characters.
func TestAskFormatsShowNoRawControls(t *testing.T) {
	r := texttest.Reply()
	out := map[string]string{}
	for _, format := range []string{"table", "csv", "json"} {
		var b bytes.Buffer
		if err := printAnswer(&b, &ipc.Answer{Reply: r}, format, 120); err != nil {
			t.Fatal(format, err)
		}
		out[format] = b.String()
		if i := texttest.Hidden(b.String()); i >= 0 {
			t.Errorf("%s: raw %q at %d in\n%s", format, b.String()[i:i+1], i, b.String())
		}
	}
	if !strings.Contains(out["table"], "\n"+`/ctl\x01\x07\x1b[31mred\x00nul`+" ") || !strings.HasPrefix(out["table"], "Top paths for "+texttest.Escaped(texttest.Hostile(), false)+"\n") {
		t.Errorf("table:\n%s", out["table"])
	}
	recs, err := csv.NewReader(strings.NewReader(out["csv"])).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][0] != `/ctl\x01\x07\x1b[31mred\x00nul` || recs[3][0] != texttest.Escaped(texttest.Hostile(), false) {
		t.Errorf("csv %q (%v)", recs, err)
	}
	var a query.Answer
	if err := json.Unmarshal([]byte(out["json"]), &a); err != nil {
		t.Fatalf("json: %v\n%s", err, out["json"])
	}
	for i, row := range r.Table.Rows {
		if got, want := a.Rows[i][0], perByteFFFD(row[0].(string)); got != want {
			t.Errorf("json row %d: %q, want %q", i, got, want)
		}
	}
	if a.Columns[0] != "path\u202e" || a.Title != perByteFFFD(r.Title) {
		t.Errorf("json columns %q, title %q", a.Columns, a.Title)
	}
}

// perByteFFFD is s with each byte of invalid UTF-8 replaced by U+FFFD.
func perByteFFFD(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for a bad byte
		i += n
	}
	return b.String()
}
