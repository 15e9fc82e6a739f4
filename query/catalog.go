package query

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Named is one file in sql/queries: the SQL the bot runs and analysts run
// unchanged with clickhouse-client.
type Named struct {
	Name    string  // file name without .sql, e.g. "top_by_ip"
	Summary string  // the header's first line, after "NAME:"
	Header  string  // the whole leading comment
	SQL     string  // the file as it is
	Params  []Param // from the header, in order
}

// Param is one {name:Type} placeholder, documented in the header as
// `--   {name:Type}   what it is   default: VALUE`.
type Param struct {
	Name, Type, Doc, Default string
}

var paramLine = regexp.MustCompile(`^--\s+\{(\w+):([^}]+)\}\s+(.*?)\s+default:\s*(.*?)\s*$`)
var placeholder = regexp.MustCompile(`\{(\w+):([^}]+)\}`)

// LoadNamed reads every NAME.sql in fsys. Each file must document every
// placeholder it uses, with a default, and start with "-- NAME: summary".
func LoadNamed(fsys fs.FS) (map[string]*Named, error) {
	paths, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	out := map[string]*Named{}
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		n, err := parseNamed(strings.TrimSuffix(p, ".sql"), string(b))
		if err != nil {
			return nil, fmt.Errorf("query file %s: %w", p, err)
		}
		out[n.Name] = n
	}
	return out, nil
}

func parseNamed(name, text string) (*Named, error) {
	n := &Named{Name: name, SQL: text}
	var head []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "--") {
			break
		}
		head = append(head, l)
		if m := paramLine.FindStringSubmatch(l); m != nil {
			def := m[4]
			if def == "''" {
				def = ""
			}
			n.Params = append(n.Params, Param{Name: m[1], Type: m[2], Doc: m[3], Default: def})
		}
	}
	n.Header = strings.Join(head, "\n")
	if len(head) == 0 || !strings.HasPrefix(head[0], "-- "+name+":") {
		return nil, fmt.Errorf("first line must be \"-- %s: what it answers\"", name)
	}
	n.Summary = strings.TrimSpace(strings.TrimPrefix(head[0], "-- "+name+":"))
	for _, m := range placeholder.FindAllStringSubmatch(text[len(n.Header):], -1) {
		p := n.Param(m[1])
		if p == nil {
			return nil, fmt.Errorf("placeholder {%s:%s} is not documented in the header", m[1], m[2])
		}
		if p.Type != m[2] {
			return nil, fmt.Errorf("placeholder {%s:%s} is documented as %s", m[1], m[2], p.Type)
		}
	}
	return n, nil
}

// Param returns the named parameter, or nil.
func (n *Named) Param(name string) *Param {
	for i := range n.Params {
		if n.Params[i].Name == name {
			return &n.Params[i]
		}
	}
	return nil
}

// Bind fills every parameter: given values first, then the header's
// defaults ("now" and "now-1h" are relative to now). A given name the file
// doesn't use is an error.
func (n *Named) Bind(given opsbot.Params, now time.Time) (opsbot.Params, error) {
	out := opsbot.Params{}
	for k, v := range given {
		if n.Param(k) == nil {
			return nil, fmt.Errorf("%s has no parameter %q (it takes %s): %w", n.Name, k, n.paramNames(), opsbot.ErrInvalid)
		}
		out[k] = v
	}
	for _, p := range n.Params {
		if _, ok := out[p.Name]; ok {
			continue
		}
		v, err := defaultValue(p.Default, now)
		if err != nil {
			return nil, fmt.Errorf("%s: parameter %s: %w", n.Name, p.Name, err)
		}
		out[p.Name] = v
	}
	return out, nil
}

func (n *Named) paramNames() string {
	names := make([]string, len(n.Params))
	for i, p := range n.Params {
		names[i] = p.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// defaultValue resolves "now", "now-1h", "now-24h" against now.
func defaultValue(def string, now time.Time) (string, error) {
	rest, ok := strings.CutPrefix(def, "now")
	if !ok {
		return def, nil
	}
	if rest == "" {
		return FormatTime(now), nil
	}
	d, err := compactDuration(strings.TrimPrefix(rest, "-"))
	if err != nil || !strings.HasPrefix(rest, "-") {
		return "", fmt.Errorf("bad default %q", def)
	}
	return FormatTime(now.Add(-d)), nil
}

// FormatTime renders t as a DateTime64(3, 'UTC') parameter value.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

// CommandLine renders the clickhouse-client command that runs the file with
// params, ready to paste.
func (n *Named) CommandLine(params opsbot.Params) string {
	var b strings.Builder
	b.WriteString("clickhouse-client")
	for _, p := range n.Params {
		fmt.Fprintf(&b, " --param_%s=%s", p.Name, shellQuote(params[p.Name]))
	}
	fmt.Fprintf(&b, " --queries-file sql/queries/%s.sql", n.Name)
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
