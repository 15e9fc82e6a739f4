package sql

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// ErrNoTable is returned (wrapped) when a named query reads a table that
// does not exist (the engine's UNKNOWN_TABLE).
var ErrNoTable = errors.New("table does not exist")

// unknownTable is ClickHouse's error code UNKNOWN_TABLE.
const unknownTable = 60

// Catalog is the one reader of the named queries (queries/NAME.sql): their
// headers, parameter types and defaults, binding and running. The chat
// phrases, the daily report and the health rules all run through it.
type Catalog struct {
	named map[string]*Named
	bad   map[string]error // files that didn't parse: using one reports why
	err   error            // the folder could not be read
}

// Named is one file in queries/: the SQL the bot runs and analysts run
// unchanged with clickhouse-client.
type Named struct {
	Name    string  // file name without .sql, e.g. "top_by_ip"
	Summary string  // the header's first line, after "NAME:"
	Header  string  // the whole leading comment
	SQL     string  // the file as it is
	Params  []Param // from the header, in order
}

// Param is one {name:Type} placeholder, documented in the header as
// `--   {name:Type}   what it is   default: VALUE`. A parameter without a
// default is Required, except since and until, which default to the last
// hour.
type Param struct {
	Name, Type, Doc, Default string
	Required                 bool
}

var (
	paramLine   = regexp.MustCompile(`^--\s+\{(\w+):([^}]+)\}\s+(.*?)(?:\s+default:\s*(.*?))?\s*$`)
	placeholder = regexp.MustCompile(`\{(\w+):([^}]+)\}`)
)

// NewCatalog reads every NAME.sql in fsys. Each file must start with
// "-- NAME: summary" and document every placeholder it uses. A file that
// doesn't is left out and its error reported when it is used (and by
// Problems), so that one broken file never silences the others.
func NewCatalog(fsys fs.FS) *Catalog {
	c := &Catalog{named: map[string]*Named{}, bad: map[string]error{}}
	paths, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		c.err = fmt.Errorf("read named queries: %w", err)
		return c
	}
	for _, p := range paths {
		name := strings.TrimSuffix(p, ".sql")
		b, err := fs.ReadFile(fsys, p)
		if err == nil {
			var n *Named
			if n, err = parseNamed(name, string(b)); err == nil {
				c.named[name] = n
				continue
			}
		}
		c.bad[name] = fmt.Errorf("query file %s: %w", p, err)
	}
	return c
}

// Catalog is the embedded queries/ folder's catalog.
func DefaultCatalog() *Catalog { return NewCatalog(QueryFiles()) }

// Named returns the named query, or an error wrapping opsbot.ErrNotFound
// that says where to look.
func (c *Catalog) Named(name string) (*Named, error) {
	if c.err != nil {
		return nil, c.err
	}
	if err := c.bad[name]; err != nil {
		return nil, err
	}
	n, ok := c.named[name]
	if !ok {
		return nil, opsbot.NotFoundf("no query named %q (see `opsbot sql list`)", name)
	}
	return n, nil
}

// List returns the named queries, sorted by name.
func (c *Catalog) List() []*Named {
	out := make([]*Named, 0, len(c.named))
	for _, n := range c.named {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Problems lists the files that could not be read, by name.
func (c *Catalog) Problems() map[string]error { return maps.Clone(c.bad) }

// Err is why the folder could not be read at all, or nil.
func (c *Catalog) Err() error { return c.err }

// Run binds params (missing ones take the header's defaults, relative to
// now) and runs the named query read-only on w under opts. A missing table
// is reported as ErrNoTable.
func (c *Catalog) Run(ctx context.Context, w warehouse.Warehouse, name string, params opsbot.Params, now time.Time, opts ...warehouse.QueryOption) (*opsbot.Result, opsbot.Params, error) {
	n, err := c.Named(name)
	if err != nil {
		return nil, nil, err
	}
	bound, err := n.Bind(params, now)
	if err != nil {
		return nil, nil, err
	}
	res, err := w.Query(ctx, n.SQL, bound, append([]warehouse.QueryOption{warehouse.ReadOnly()}, opts...)...)
	if err != nil {
		if warehouse.CodeOf(err) == unknownTable {
			err = fmt.Errorf("%w: %w", ErrNoTable, err)
		}
		return nil, bound, fmt.Errorf("query %s: %w", name, err)
	}
	return res, bound, nil
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
			n.Params = append(n.Params, newParam(m, strings.Contains(l, "default:")))
		}
	}
	n.Header = strings.Join(head, "\n")
	if len(head) == 0 || !strings.HasPrefix(head[0], "-- "+name+":") {
		return nil, fmt.Errorf("first line must be \"-- %s: what it answers\"", name)
	}
	n.Summary = summary(strings.TrimPrefix(head[0], "-- "+name+":"), head[1:])
	return n, n.checkPlaceholders(text[len(n.Header):])
}

// summary is the header's first sentence, whole: it starts after "NAME:"
// on the first line and may run on over the next lines, up to a labelled
// line (Answers:, Phrases:, Parameters:, Run:) or a blank one.
func summary(first string, rest []string) string {
	text := strings.TrimSpace(first)
	for _, l := range rest {
		l = strings.TrimSpace(strings.TrimPrefix(l, "--"))
		if l == "" || label.MatchString(l) {
			break
		}
		text += " " + l
	}
	return firstSentence(text)
}

var label = regexp.MustCompile(`^[A-Z][a-z]+:`)

// firstSentence is text up to its first full stop followed by a space,
// not counting abbreviations (e.g., i.e.).
func firstSentence(text string) string {
	for i := 0; i+1 < len(text); i++ {
		if text[i] == '.' && text[i+1] == ' ' && !strings.HasSuffix(text[:i+1], "e.g.") && !strings.HasSuffix(text[:i+1], "i.e.") {
			return text[:i+1]
		}
	}
	return text
}

func newParam(m []string, hasDefault bool) Param {
	p := Param{Name: m[1], Type: m[2], Doc: m[3], Default: m[4], Required: !hasDefault}
	if p.Default == "''" {
		p.Default = ""
	}
	if p.Required && (p.Name == "since" || p.Name == "until") { // the window: the last hour
		p.Default, p.Required = map[string]string{"since": "now-1h", "until": "now"}[p.Name], false
	}
	return p
}

// checkPlaceholders: every {name:Type} in body is documented, with its type.
func (n *Named) checkPlaceholders(body string) error {
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		p := n.Param(m[1])
		if p == nil {
			return fmt.Errorf("placeholder {%s:%s} is not documented in the header", m[1], m[2])
		}
		if p.Type != m[2] {
			return fmt.Errorf("placeholder {%s:%s} is documented as %s", m[1], m[2], p.Type)
		}
	}
	return nil
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
			return nil, opsbot.Invalidf("%s has no parameter %q (it takes %s)", n.Name, k, n.paramNames())
		}
		out[k] = v
	}
	for _, p := range n.Params {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if p.Required {
			return nil, opsbot.Invalidf("%s needs parameter %s (%s)", n.Name, p.Name, p.Type)
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

// defaultValue resolves "now" and "now-N" (N a count of m, h, d or w)
// against now; any other default is the value itself.
func defaultValue(def string, now time.Time) (string, error) {
	rest, ok := strings.CutPrefix(def, "now")
	if !ok {
		return def, nil
	}
	if now.IsZero() {
		return "", errors.New("its default is relative to now, and no time was given: pass it")
	}
	if rest == "" {
		return warehouse.TimeParam(now), nil
	}
	d, err := ago(rest)
	if err != nil {
		return "", fmt.Errorf("bad default %q: %w", def, err)
	}
	return warehouse.TimeParam(now.Add(-d)), nil
}

// units are the default offsets a header may name.
var units = map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}

// ago reads "-N<unit>", N up to 10000.
func ago(s string) (time.Duration, error) {
	if len(s) < 3 || s[0] != '-' || units[s[len(s)-1]] == 0 {
		return 0, errors.New(`use now, or now-N with N a count of m, h, d or w (now-1h)`)
	}
	n, err := strconv.Atoi(s[1 : len(s)-1])
	if err != nil || n < 1 || n > 10000 {
		return 0, errors.New("the count must be a whole number from 1 to 10000")
	}
	return time.Duration(n) * units[s[len(s)-1]], nil
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
