// Package guard decides whether an analyst's `sql` statement may run. It
// never strips or pattern-matches the text: ClickHouse's own parser reads
// it, and the guard judges the syntax tree the parser returns.
//
// A statement passes through four steps:
//
//  1. The raw text is bounded (MaxLen) and refused if it holds a control
//     character (NUL included) or a bidirectional override.
//  2. The engine renders it with formatQuerySingleLine, the text bound as a
//     query parameter so that it is parsed and never run. This proves it is
//     exactly one statement and gives its canonical form.
//  3. The canonical form's tree (`EXPLAIN AST`, which parses and does not
//     run) is read strictly and walked: one SELECT (WITH, UNION, INTERSECT
//     and EXCEPT allowed); no SETTINGS, FORMAT, INTO OUTFILE or query
//     parameters; tables only from the allowlist, never a table function;
//     functions only from the allowlist (functions.go), fail closed.
//  4. What runs is the canonical form the tree came from, never the raw
//     text, so what was checked is what runs.
//
// The caller runs the statement with the engine's limits (readonly,
// max_execution_time, max_memory_usage, max_result_rows and
// max_result_bytes); the guard does not replace them. Both engines use the
// same guard.
package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/warehouse"
)

// MaxLen bounds a statement's length in bytes.
const MaxLen = 16 << 10

// Guard checks statements against one warehouse's parser and catalog.
type Guard struct {
	w      warehouse.Warehouse
	db     string          // the current database: where allowed tables live
	tables map[string]bool // allowed tables, unqualified
	funcs  *functions
}

// New returns a guard that allows reading tables (unqualified names in the
// warehouse's current database). It reads the engine's function catalog
// once, to accept each allowed function's aliases and case-insensitive
// spellings exactly as the engine resolves them.
func New(ctx context.Context, w warehouse.Warehouse, tables []string) (*Guard, error) {
	res, err := w.Query(ctx, "SELECT currentDatabase()", nil, warehouse.ReadOnly())
	if err != nil {
		return nil, fmt.Errorf("sql guard: current database: %w", err)
	}
	if len(res.Rows) != 1 {
		return nil, errors.New("sql guard: current database: no answer")
	}
	g := &Guard{w: w, db: fmt.Sprint(res.Rows[0][0]), tables: map[string]bool{}}
	for _, t := range tables {
		g.tables[t] = true
	}
	if g.funcs, err = loadFunctions(ctx, w); err != nil {
		return nil, fmt.Errorf("sql guard: %w", err)
	}
	return g, nil
}

// Check returns the statement to run, the engine's canonical rendering of
// stmt, or an error meant for the analyst (wrapping opsbot.ErrInvalid or
// opsbot.ErrForbidden) that names what was refused.
func (g *Guard) Check(ctx context.Context, stmt string) (string, error) {
	if err := checkText(stmt); err != nil {
		return "", err
	}
	canon, err := g.canonical(ctx, stmt)
	if err != nil {
		return "", err
	}
	// EXPLAIN AST parses and runs nothing; no limits are appended to it,
	// as they would become part of the tree it prints.
	res, err := g.w.Query(ctx, "EXPLAIN AST "+canon, nil)
	if err != nil {
		if strings.Contains(err.Error(), "UNKNOWN_QUERY_PARAMETER") {
			return "", refusedKind("QueryParameter")
		}
		return "", opsbot.Invalidf("the statement does not parse: %s", engineMessage(err))
	}
	root, err := parseAST(dumpText(res))
	if err != nil {
		return "", opsbot.Forbiddenf("cannot read the statement's syntax tree (%v): use plain names (letters, digits, _)", err)
	}
	existing, err := g.existingTables(ctx)
	if err != nil {
		return "", err
	}
	c := &checker{g: g, existing: existing}
	if err := c.statement(root); err != nil {
		return "", err
	}
	return canon, nil
}

// checkText refuses what no statement needs before any parser sees it.
func checkText(stmt string) error {
	switch {
	case strings.TrimSpace(stmt) == "":
		return opsbot.Invalidf("usage: `sql SELECT …`")
	case len(stmt) > MaxLen:
		return opsbot.Invalidf("the statement is %d bytes; `sql` takes at most %d", len(stmt), MaxLen)
	case !utf8.ValidString(stmt):
		return opsbot.Invalidf("the statement is not valid UTF-8")
	}
	for i, r := range stmt {
		if forbiddenRune(r) {
			return opsbot.Invalidf("the statement holds the control character U+%04X at byte %d: remove it", r, i)
		}
	}
	return nil
}

// forbiddenRune: C0 and C1 controls but tab and line breaks, DEL, and the
// bidirectional controls that make text read other than it runs.
func forbiddenRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f || r == 0x061c:
		return true
	}
	return false
}

// canonical has the engine parse stmt, bound as a parameter so that it is
// never run, and render it on one line. Several statements fail here.
func (g *Guard) canonical(ctx context.Context, stmt string) (string, error) {
	res, err := g.w.Query(ctx, "SELECT formatQuerySingleLine({q:String})", opsbot.Params{"q": stmt}, warehouse.ReadOnly())
	if err != nil {
		msg := engineMessage(err)
		if strings.Contains(msg, "Multi-statements") {
			return "", opsbot.Invalidf("one statement only: remove the `;` between statements")
		}
		return "", opsbot.Invalidf("the statement does not parse: %s", msg)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return "", errors.New("sql guard: formatQuerySingleLine gave no answer")
	}
	s, ok := res.Rows[0][0].(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", opsbot.Invalidf("usage: `sql SELECT …`")
	}
	return s, nil
}

// existingTables lists the tables, views and dictionaries of the current
// database: an unqualified name that is none of them can only be a WITH
// name.
func (g *Guard) existingTables(ctx context.Context) (map[string]bool, error) {
	res, err := g.w.Query(ctx, "SELECT name FROM system.tables WHERE database = currentDatabase()", nil, warehouse.ReadOnly())
	if err != nil {
		return nil, fmt.Errorf("sql guard: list tables: %w", err)
	}
	m := map[string]bool{}
	for _, r := range res.Rows {
		m[fmt.Sprint(r[0])] = true
	}
	return m, nil
}

// dumpText joins the one-column answer of EXPLAIN AST.
func dumpText(res *opsbot.Result) string {
	var b strings.Builder
	for _, r := range res.Rows {
		if len(r) > 0 {
			b.WriteString(fmt.Sprint(r[0]))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// engineMessage keeps the engine's explanation and drops its stack and
// version noise.
func engineMessage(err error) string {
	s := err.Error()
	if i := strings.Index(s, "DB::Exception: "); i >= 0 {
		s = s[i+len("DB::Exception: "):]
	}
	if i := strings.Index(s, ". (SYNTAX_ERROR)"); i >= 0 {
		s = s[:i]
	}
	s = text.Cut(s, 301)
	return strings.TrimSpace(s)
}
