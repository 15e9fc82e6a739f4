package query

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/internal/text"

	"github.com/opsbot/opsbot"
)

func TestCSVAndJSONKeepRawValues(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}, {Name: "top_status", Type: "UInt16"}, {Name: "top_path", Type: "String"}},
		Rows: [][]any{
			{"104.2.1.1", uint64(1234567), uint64(404), "/blargh"},
			{"2001:db8:bad::17", uint64(912), uint64(404), "/" + strings.Repeat("a", 80)},
		},
	}
	var b bytes.Buffer
	if err := text.WriteCSV(&b, r); err != nil || strings.Contains(b.String(), "…") || !strings.Contains(b.String(), "1234567") {
		t.Fatalf("csv cut or formatted values: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := WriteJSON(&b, "T", "SELECT 1", opsbot.Params{"a": "b"}, r); err != nil {
		t.Fatal(err)
	}
	var a struct {
		Title, SQL string
		Params     map[string]string
		Columns    []string
		Rows       [][]any
	}
	if err := json.Unmarshal(b.Bytes(), &a); err != nil || a.Title != "T" || a.Columns[3] != "top_path" || a.Rows[1][3] != "/"+strings.Repeat("a", 80) || a.Rows[0][1] != 1234567.0 {
		t.Fatalf("json: %v %+v", err, a)
	}
}
