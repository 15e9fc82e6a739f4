package text_test

import (
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/internal/text/texttest"
)

func TestVisible(t *testing.T) {
	s := texttest.Hostile()
	for _, c := range []struct {
		name string
		got  string
		keep bool
	}{{"Visible", text.Visible(s), false}, {"VisibleLines", text.VisibleLines(s), true}} {
		if want := texttest.Escaped(s, c.keep); c.got != want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, c.got, want)
		}
		if !utf8.ValidString(c.got) {
			t.Errorf("%s is not valid UTF-8", c.name)
		}
	}
	if got := text.Visible(text.Visible(s)); got != text.Visible(s) {
		t.Errorf("Visible is not idempotent: %q", got)
	}
	if plain := "/index.html?q=é中🙂 \\x1b"; text.Visible(plain) != plain {
		t.Errorf("plain text changed: %q", text.Visible(plain))
	}
	if got := text.Visible("\U000e0001x"); got != `\U000e0001x` { // a tag character, beyond U+FFFF
		t.Errorf("tag: %q", got)
	}
}

func TestMrkdwnEscapesData(t *testing.T) {
	got := text.Mrkdwn("a & b <!channel>\n<https://evil|click> \x1b")
	if want := "a &amp; b &lt;!channel&gt;\n&lt;https://evil|click&gt; \\x1b"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1+cmd|' /C calc'!A0":     "'+1+cmd|' /C calc'!A0",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"-12.5":                    "-12.5",
		"+Inf":                     "+Inf",
		"/a=b":                     "/a=b",
		"\x1b[31m":                 "\\x1b[31m",
		"":                         "",
	} {
		if got := text.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCutsOnRuneBoundaries: a multi-byte character at the cut is kept
// whole or left out, never split.
func TestCutsOnRuneBoundaries(t *testing.T) {
	s := strings.Repeat("a", 9) + "é中🙂" // é is 2 bytes, 中 3, 🙂 4
	for n := 0; n <= len(s)+1; n++ {
		got := text.CutBytes(s, n)
		if !utf8.ValidString(got) || len(got) > n || !strings.HasPrefix(s, got) || len(got) < n-3 && len(got) < len(s) {
			t.Errorf("CutBytes(%d) = %q", n, got)
		}
	}
	if got := text.CutBytes(s, 10); got != "aaaaaaaaa" { // the cut falls inside é
		t.Errorf("CutBytes(10) = %q", got)
	}
	if got := text.Cut(s, 11); got != "aaaaaaaaaé…" {
		t.Errorf("Cut(11) = %q", got)
	}
}

// TestCSVHoldsNoRawControls: a hostile path and a formula, written by
// WriteCSV and read back, are their escaped forms, the formula defused;
// the CSV's bytes hold no raw control or bidi character but its own
// record ends.
func TestCSVHoldsNoRawControls(t *testing.T) {
	path := texttest.Hostile()
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "path\x1b", Type: "String"}, {Name: "ua", Type: "String"}, {Name: "n", Type: "Int64"}},
		Rows:    [][]any{{path, "=cmd|' /C calc'!A0", int64(-3)}},
	}
	var b strings.Builder
	if err := text.WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	if i := texttest.Hidden(b.String()); i >= 0 {
		t.Fatalf("raw %q at %d in %q", b.String()[i:i+1], i, b.String())
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{`path\x1b`, "ua", "n"}, {texttest.Escaped(path, false), "'=cmd|' /C calc'!A0", "-3"}}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("csv\n got %q\nwant %q", recs, want)
	}
}
