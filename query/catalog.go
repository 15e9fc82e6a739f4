package query

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
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
// A parameter without a default is Required, except since and until, which
// default to the last hour.
type Param struct {
	Name, Type, Doc, Default string
	Required                 bool
}

var paramLine = regexp.MustCompile(`^--\s+\{(\w+):([^}]+)\}\s+(.*?)(?:\s+default:\s*(.*?))?\s*$`)
var placeholder = regexp.MustCompile(`\{(\w+):([^}]+)\}`)

// LoadNamed reads every NAME.sql in fsys. Each file must start with
// "-- NAME: summary" and document every placeholder it uses. A file that
// doesn't is left out and its error kept in bad, so that one broken file
// never silences the others.
func LoadNamed(fsys fs.FS) (named map[string]*Named, bad map[string]error, err error) {
	paths, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, nil, err
	}
	named, bad = map[string]*Named{}, map[string]error{}
	for _, p := range paths {
		name := strings.TrimSuffix(p, ".sql")
		b, err := fs.ReadFile(fsys, p)
		if err == nil {
			var n *Named
			if n, err = parseNamed(name, string(b)); err == nil {
				named[name] = n
				continue
			}
		}
		bad[name] = fmt.Errorf("query file %s: %w", p, err)
	}
	return named, bad, nil
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
			p := Param{Name: m[1], Type: m[2], Doc: m[3], Default: m[4], Required: !strings.Contains(l, "default:")}
			if p.Default == "''" {
				p.Default = ""
			}
			if p.Required && (p.Name == "since" || p.Name == "until") { // the window: the last hour
				p.Default, p.Required = map[string]string{"since": "now-1h", "until": "now"}[p.Name], false
			}
			n.Params = append(n.Params, p)
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
		if p.Required {
			return nil, fmt.Errorf("%s needs parameter %s (%s): %w", n.Name, p.Name, p.Type, opsbot.ErrInvalid)
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
		return warehouse.TimeParam(now), nil
	}
	d, err := compactDuration(strings.TrimPrefix(rest, "-"))
	if err != nil || !strings.HasPrefix(rest, "-") {
		return "", fmt.Errorf("bad default %q", def)
	}
	return warehouse.TimeParam(now.Add(-d)), nil
}

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
