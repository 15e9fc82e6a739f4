package query

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
)

func TestRenderTable(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}, {Name: "top_status", Type: "UInt16"}, {Name: "top_path", Type: "String"}},
		Rows: [][]any{
			{"104.2.1.1", uint64(1234567), uint64(404), "/blargh"},
			{"2001:db8:bad::17", uint64(912), uint64(404), "/" + strings.Repeat("a", 80)},
		},
	}
	got := RenderTable(r, 0)
	want := "ip                 requests  top_status  top_path\n" +
		"────────────────  ─────────  ──────────  ────────────────────────────────────────────────\n" +
		"104.2.1.1         1,234,567         404  /blargh\n" +
		"2001:db8:bad::17        912         404  /" + strings.Repeat("a", 46) + "…\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	for _, l := range strings.Split(strings.TrimSpace(RenderTable(r, 60)), "\n") {
		if n := len([]rune(l)); n > 60 {
			t.Fatalf("line %q is %d wide, limit 60", l, n)
		}
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil || strings.Contains(b.String(), "…") || !strings.Contains(b.String(), "1234567") {
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

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{uint64(999), "999"}, {uint64(1000), "1,000"}, {int64(-1234567), "-1,234,567"}, {12345.6789, "12,345.679"},
		{0.5, "0.5"}, {nil, ""}, {time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC), "2026-11-22 10:05:00"},
	} {
		if got := FormatValue(c.v); got != c.want {
			t.Errorf("FormatValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
