package web

import (
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

//go:embed templates/*.html static/*
var files embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"blocks": blocks, "cell": cell, "numeric": numeric, "svg": svgURL, "visible": text.VisibleLines,
}).ParseFS(files, "templates/*.html"))

func staticFiles() http.Handler {
	sub, _ := fs.Sub(files, "static")
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}

// view is what a template gets.
type view struct {
	Title   string
	Session *session
	Error   string // a refusal or failure, shown instead of the content
	Reply   *opsbot.Reply
	Page    *Page
	Pending *pendingView
	Phrase  string
	CSV     string
	Done    bool
}

// render writes template name with v, at status.
func (s *Server) render(w http.ResponseWriter, status int, name string, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, v); err != nil {
		s.o.Log.Error("web: template", "template", name, "err", err)
	}
}

// fail shows a refusal or failure page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	ss, _ := s.session(r)
	s.render(w, status, "error.html", view{Title: title, Session: ss, Error: msg})
}

// block is a paragraph of a reply's text, or a preformatted block.
type block struct {
	Pre   bool
	Text  string // Pre
	Spans []span // not Pre
}

type span struct {
	Bold, Italic bool
	Text         string
}

// blocks reads chat markup: ``` fences make preformatted blocks (aligned
// tables), *x* is bold, a _line_ italic; each other line is a paragraph. Text passes
// through the sanitizer; html/template escapes it.
func blocks(s string) []block {
	var out []block
	var pre []string
	in := false
	for _, l := range strings.Split(text.VisibleLines(s), "\n") {
		switch {
		case strings.HasPrefix(l, "```") && in:
			out, pre, in = append(out, block{Pre: true, Text: strings.Join(pre, "\n")}), nil, false
		case strings.HasPrefix(l, "```"):
			in = true
			if rest := strings.TrimPrefix(l, "```"); rest != "" {
				pre = append(pre, rest)
			}
		case in:
			pre = append(pre, l)
		case strings.TrimSpace(l) != "":
			out = append(out, block{Spans: spans(l)})
		}
	}
	if len(pre) > 0 {
		out = append(out, block{Pre: true, Text: strings.Join(pre, "\n")})
	}
	return out
}

// spans splits a line on * into plain and bold runs; a line within
// underscores is italic.
func spans(l string) []span {
	if t := strings.TrimSpace(l); len(t) > 2 && t[0] == '_' && t[len(t)-1] == '_' {
		return []span{{Italic: true, Text: t[1 : len(t)-1]}}
	}
	parts := strings.Split(l, "*")
	if len(parts)%2 == 0 { // an odd count of *: no bold
		return []span{{Text: l}}
	}
	var out []span
	for i, p := range parts {
		if p != "" {
			out = append(out, span{Bold: i%2 == 1, Text: strings.ReplaceAll(p, "`", "")})
		}
	}
	return out
}

// cell renders a table value as chat does (sanitized, codes as codes).
func cell(col string, v any) string { return text.Cell(col, v) }

// numeric says whether column c is right-aligned.
func numeric(c opsbot.Column) bool {
	t := strings.TrimPrefix(strings.TrimSuffix(c.Type, ")"), "Nullable(")
	return strings.HasPrefix(t, "UInt") || strings.HasPrefix(t, "Int") || strings.HasPrefix(t, "Float") || strings.HasPrefix(t, "Decimal")
}

// svgURL is a chart as a data: URL for an <img>: an SVG shown as an image
// runs nothing, whatever it holds.
func svgURL(b []byte) template.URL {
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(b))
}

func urlQuery(s string) string { return url.QueryEscape(s) }
