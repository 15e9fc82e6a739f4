package text_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

func TestTable(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}, {Name: "top_status", Type: "UInt16"},
			{Name: "top_path", Type: "String"}, {Name: "last", Type: "Nullable(DateTime)"}},
		Rows: [][]any{
			{"104.2.1.1", uint64(1234567), uint64(404), "/blargh", time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)},
			{"2001:db8:bad::17", uint64(912), uint64(404), "/" + strings.Repeat("a", 80), nil},
		},
	}
	want := "ip                 requests  top_status  top_path                                          last\n" +
		"────────────────  ─────────  ──────────  ────────────────────────────────────────────────  ───────────────────\n" +
		"104.2.1.1         1,234,567         404  /blargh                                           2026-11-22 10:05:00\n" +
		"2001:db8:bad::17        912         404  /" + strings.Repeat("a", 46) + "…\n"
	if got := text.Table(r, 0); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	for _, l := range text.Lines(r, 60) {
		if n := len([]rune(l)); n > 60 {
			t.Fatalf("line %q is %d wide, limit 60", l, n)
		}
	}
}

// TestTableNamesEmptyText: an empty key (no referer, a log without a
// country) reads "(none)" in a table, not a blank; CSV keeps it empty.
func TestTableNamesEmptyText(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "referer", Type: "String"}, {Name: "requests", Type: "UInt64"}},
		Rows:    [][]any{{"", uint64(7)}, {"https://example.org/", uint64(3)}},
	}
	want := "referer               requests\n" +
		"────────────────────  ────────\n" +
		"(none)                       7\n" +
		"https://example.org/         3\n"
	if got := text.Table(r, 0); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var b strings.Builder
	if err := text.WriteCSV(&b, r); err != nil || !strings.HasPrefix(b.String(), "referer,requests\n,7\n") {
		t.Fatalf("csv %q (%v): want an empty first cell", b.String(), err)
	}
}

func TestValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{uint64(999), "999"}, {uint64(1000), "1,000"}, {int64(-1234567), "-1,234,567"}, {12345.6789, "12,345.679"},
		{0.5, "0.5"}, {2.0, "2"}, {nil, ""}, {time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC), "2026-11-22 10:05:00"},
		{"a\tb\n```c", "a b '''c"}, {[]any{uint64(1), "x"}, "1, x"},
	} {
		if got := text.Value(c.v); got != c.want {
			t.Errorf("Value(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := text.Cell("asn", uint64(13335)); got != "13335" {
		t.Errorf("asn is a code, not a count: %q", got)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567.50": "-1,234,567.50", "100000": "100,000"} {
		if got := text.Thousands(in); got != want {
			t.Errorf("Thousands(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSVIsRaw(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "path"}, {Name: "requests"}, {Name: "p95"}, {Name: "last"}, {Name: "codes"}},
		Rows:    [][]any{{"/a,b", uint64(1234567), 0.000125, time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC), []any{uint64(404), uint64(500)}}},
	}
	var b strings.Builder
	if err := text.WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "path,requests,p95,last,codes\n\"/a,b\",1234567,0.000125,2026-11-22T10:05:00Z,404;500\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// TestDuration: footers show how long a query took rounded for people,
// never 29.115975ms.
func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "<1ms",
		400 * time.Microsecond:                "<1ms",
		29115975 * time.Nanosecond:            "29ms",
		999499 * time.Microsecond:             "999ms",
		2345678 * time.Microsecond:            "2.35s",
		63*time.Second + 123*time.Millisecond: "1m3s",
	} {
		if got := text.Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
