package text

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Visible returns s with every character that could act on a terminal, or
// hide or reorder what is shown, written as an escape: invalid UTF-8 bytes,
// C0 controls (NUL and newline among them) and DEL as \xNN; C1 controls,
// format characters (bidi overrides and isolates U+202A–U+202E and
// U+2066–U+2069, zero-width characters, the BOM …) and the line and
// paragraph separators as \uNNNN (\UNNNNNNNN above U+FFFF). Everything else,
// the backslash included, is kept, so Visible(Visible(s)) == Visible(s).
// (The zero-width joiner is a format character too: an emoji sequence
// built with it shows its parts and \u200d.)
// Log fields are written by whoever sends requests to the CDN: every text
// renderer passes data through Visible (or VisibleLines, Mrkdwn).
func Visible(s string) string { return visible(s, false) }

// VisibleLines is Visible keeping newlines, for multi-line text such as a
// reply's Text.
func VisibleLines(s string) string { return visible(s, true) }

func visible(s string, lines bool) string {
	if safe(s, lines) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(shown(r, n, s[i], lines))
		i += n
	}
	return b.String()
}

// safe reports whether s needs no escape (the common case, without
// allocating).
func safe(s string, lines bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if hidden(r, n) && !(lines && r == '\n') {
			return false
		}
		i += n
	}
	return true
}

// hidden reports whether rune r, read as n bytes, is shown as an escape.
func hidden(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return true // an invalid byte
	}
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func shown(r rune, n int, first byte, lines bool) string {
	switch {
	case !hidden(r, n) || (lines && r == '\n'):
		return string(r)
	case r == utf8.RuneError || r < 0x80:
		return fmt.Sprintf(`\x%02x`, first)
	case r > 0xffff:
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// Mrkdwn makes data safe inside Slack mrkdwn: VisibleLines, then Slack's
// documented escaping of its three control characters (& → &amp;,
// < → &lt;, > → &gt;), so that text from logs or input can neither mention
// (<!channel>, <@U…>) nor forge a link (<https://…|label>). It is for data
// and for opsbot's replies, whose own markup is limited to *bold*, _italic_,
// `code` and ``` blocks; the Slack transport adds its own <!here> after.
func Mrkdwn(s string) string {
	return slackEscaper.Replace(VisibleLines(s))
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// CSVCell renders a CSV cell's text: Visible (a CSV is opened in
// spreadsheets and viewed in terminals, and a log field is attacker-written),
// and a text that a spreadsheet would read as a formula (starting with =, +,
// - or @, and not a number) gets a leading ' as OWASP advises against CSV
// injection. Opsbot's CSV is the Slack attachment people open in Excel or
// Sheets; the exact values, for scripts, are in the JSON output
// (`opsbot ask --format json`).
func CSVCell(s string) string {
	s = Visible(s)
	if s == "" || !strings.ContainsRune("=+-@", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s // -12, +Inf: a number, not a formula
	}
	return "'" + s
}

// CutBytes shortens s to at most n bytes, cutting on a rune boundary, for
// limits an API counts in bytes; Cut is the cut for people (runes, "…").
func CutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// EscapeJSON rewrites encoded JSON so that the characters Visible escapes
// (DEL, C1 controls, bidi and other format characters; encoding/json
// already escapes C0) appear as \uNNNN escapes: decoded, every string is
// exactly what was encoded, and the JSON shown in a terminal cannot act on
// it. Such characters only occur inside JSON strings, where the escape is
// valid.
func EscapeJSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && !(r == utf8.RuneError && n == 1) && hidden(r, n) {
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
