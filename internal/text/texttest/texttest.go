// Package texttest gives tests hostile text, as a CDN log field or a chat
// phrase may hold it, and an account of how opsbot must show it that does
// not use package text: Escaped (what Visible gives), Hidden (finds a raw
// character that must never be shown).
package texttest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
)

// Path is the request path measured reaching the terminal raw.
const Path = "/ctl\x01\x07\x1b[31mred\x00nul"

// Markup is data written as Slack markup: a room ping, an ampersand, a
// forged link, a user mention.
const Markup = "<!channel> & <https://x|y> <@U0ALICE01>"

// Reply is an answer carrying Hostile in every part a transport shows:
// title, text, context, a button's label, a column name and table cells
// (Path, Markup, Hostile, in that order).
func Reply() *opsbot.Reply {
	h := Hostile()
	return &opsbot.Reply{
		Title: "Top paths for " + h, Text: "Hits of " + h, Context: "filter " + h,
		Buttons: []opsbot.Button{{Label: "Ban " + h, Command: "ban 192.0.2.1"}},
		Table: &opsbot.Result{
			Columns: []opsbot.Column{{Name: "path\u202e", Type: "String"}, {Name: "requests", Type: "UInt64"}},
			Rows:    [][]any{{Path, uint64(7)}, {Markup, uint64(5)}, {h, uint64(3)}},
		},
	}
}

// Escaped is the form text.Visible (keepNewline: text.VisibleLines) must
// give s, written independently of it: the characters Hostile holds that
// must be escaped, by ranges.
func Escaped(s string, keepNewline bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewline:
			b.WriteByte('\n')
		case r <= 0x1f || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r >= 0x200b && r <= 0x200f, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0x00ad:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// Hostile holds every C0 control, DEL, C1 controls, bidi overrides and
// isolates, zero-width characters, invalid UTF-8 and Slack's markup.
func Hostile() string {
	var b strings.Builder
	b.WriteString("/ctl")
	for c := 0; c < 0x20; c++ {
		b.WriteByte(byte(c))
	}
	b.WriteString("\x7f\u0085\u009b[31m\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069i\u200b\u200e\ufeff\u2028")
	b.WriteString("\xff\xc3(bad\xe2\x82 <!channel> & <https://x|y> <@U0ALICE01> é中🙂")
	return b.String()
}

// Hidden returns the offset of the first byte in s that must not reach a
// terminal or a chat as it is (a control other than newline, DEL, a C1
// control, a bidi or zero-width character, invalid UTF-8), or -1.
func Hidden(s string) int {
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		if Escaped(s[i:i+n], true) != s[i:i+n] {
			return i
		}
		i += n
	}
	return -1
}
