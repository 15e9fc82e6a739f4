package guard

import (
	"regexp"
	"sort"
	"strings"

	"github.com/opsbot/opsbot"
)

// kinds are the syntax tree nodes a read-only SELECT is made of. Any other
// kind (Set for SETTINGS, QueryParameter, an APPLY transformer that names a
// function outside a Function node, and whatever a later engine adds) is
// refused.
var kinds = map[string]bool{
	"SelectWithUnionQuery": true, "SelectIntersectExceptQuery": true, "SelectQuery": true,
	"ExpressionList": true, "Literal": true, "Function": true, "Identifier": true,
	"Asterisk": true, "QualifiedAsterisk": true,
	"ColumnsRegexpMatcher": true, "ColumnsListMatcher": true,
	"QualifiedColumnsRegexpMatcher": true, "QualifiedColumnsListMatcher": true,
	"ColumnsTransformerList": true, "ColumnsExceptTransformer": true,
	"ColumnsReplaceTransformer": true, "ColumnsReplaceTransformerReplacement": true,
	"TablesInSelectQuery": true, "TablesInSelectQueryElement": true, "TableExpression": true,
	"TableIdentifier": true, "TableJoin": true, "ArrayJoin": true, "Subquery": true,
	"WithElement": true, "WindowDefinition": true, "WindowListElement": true,
	"OrderByElement": true, "SampleRatio": true, "InterpolateElement": true,
}

// plainName is what a name may look like: letters, digits and _, with dots
// between the parts of a compound name.
var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$`)

// inFunctions take a set as their second argument, which may be a table
// named by a bare identifier.
var inFunctions = map[string]bool{
	"in": true, "notIn": true, "globalIn": true, "globalNotIn": true,
	"nullIn": true, "notNullIn": true, "globalNullIn": true, "globalNotNullIn": true,
}

// checker walks one statement's tree.
type checker struct {
	g        *Guard
	existing map[string]bool // tables of the current database
}

// statement accepts one SELECT: the root holds the query and nothing else
// (a FORMAT or an INTO OUTFILE would be a second child).
func (c *checker) statement(root *node) error {
	if root.kind != "SelectWithUnionQuery" {
		return opsbot.Forbiddenf("only SELECT is allowed, got %s", statementKind(root.kind))
	}
	if len(root.children) != 1 {
		return opsbot.Forbiddenf("FORMAT and INTO OUTFILE are not allowed in `sql`: it answers in chat")
	}
	return walk(root, nil, c.node)
}

func (c *checker) node(n, parent *node) error {
	if !kinds[n.kind] {
		return refusedKind(n.kind)
	}
	if n.alias != "" && !plainName.MatchString(n.alias) {
		return notPlain(n.alias)
	}
	switch n.kind {
	case "Identifier":
		return c.name(n.name)
	case "TableIdentifier":
		return c.table(n.name)
	case "Function":
		return c.function(n, parent)
	}
	return nil
}

func (c *checker) name(s string) error {
	if !plainName.MatchString(s) {
		return notPlain(s)
	}
	return nil
}

func (c *checker) function(n, parent *node) error {
	if err := c.name(n.name); err != nil {
		return err
	}
	if parent != nil && parent.kind == "TableExpression" {
		return opsbot.Forbiddenf("the table function %s() is not allowed in `sql`: it reads opsbot's log tables only (%s)", n.name, c.allowedList())
	}
	if !c.g.funcs.allowed(n.name) {
		return opsbot.Forbiddenf("the function %s() is not on `sql`'s list of vetted functions: ask an operator if you need it", n.name)
	}
	if inFunctions[n.name] {
		return c.inSet(n)
	}
	return nil
}

// inSet checks `x IN name`: a bare name there is a table.
func (c *checker) inSet(n *node) error {
	if len(n.children) != 1 || len(n.children[0].children) != 2 {
		return opsbot.Invalidf("%s() takes two arguments", n.name)
	}
	if set := n.children[0].children[1]; set.kind == "Identifier" {
		return c.table(set.name)
	}
	return nil
}

// table accepts an allowed table, or an unqualified name that names no
// table of the current database (it can then only be a WITH name).
func (c *checker) table(name string) error {
	if err := c.name(name); err != nil {
		return err
	}
	db, t, qualified := strings.Cut(name, ".")
	if !qualified {
		db, t = c.g.db, name
	}
	if strings.Contains(t, ".") || db != c.g.db {
		return c.refuseTable(name)
	}
	if c.g.tables[t] || (!qualified && !c.existing[t]) {
		return nil
	}
	return c.refuseTable(name)
}

func (c *checker) refuseTable(name string) error {
	return opsbot.Forbiddenf("`sql` cannot read %s: it reads %s (query.sql.tables in the config adds log tables)", name, c.allowedList())
}

func (c *checker) allowedList() string {
	var ts []string
	for t := range c.g.tables {
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return "no table"
	}
	sort.Strings(ts)
	return strings.Join(ts, ", ")
}

func notPlain(s string) error {
	return opsbot.Forbiddenf("the name %q is not a plain name: `sql` takes names of letters, digits and _ only", s)
}

func refusedKind(kind string) error {
	switch kind {
	case "Set":
		return opsbot.Forbiddenf("SETTINGS is not allowed in `sql`: opsbot sets the limits")
	case "QueryParameter":
		return opsbot.Forbiddenf("query parameters ({name:Type}) are not allowed in `sql`: write the value")
	}
	return opsbot.Forbiddenf("`sql` does not allow %s in a statement", kind)
}

// statementKind names a non-SELECT root for the refusal: InsertQuery →
// INSERT.
func statementKind(kind string) string {
	k := strings.TrimSuffix(strings.TrimSuffix(kind, "Query"), "Statement")
	if k == "" {
		return kind
	}
	return strings.ToUpper(k)
}
