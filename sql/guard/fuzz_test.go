package guard_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/sql/guard"
	"github.com/opsbot/opsbot/warehouse"
)

var (
	treeTable    = regexp.MustCompile(`^\s*TABLE id: \d+.*table_name: (\S+)$`)
	treeFunction = regexp.MustCompile(`^\s*FUNCTION id: \d+, function_name: ([^,]+),`)
)

// FuzzGuard holds the guard to its promise, checked another way than the
// guard checks it: whatever it accepts, the engine's analyzer (EXPLAIN
// QUERY TREE, which resolves names, aliases and WITH clauses) reads as a
// SELECT over the allowed table (or the table-less system.one), with no
// table function, calling only vetted functions.
func FuzzGuard(f *testing.F) {
	for _, s := range accepted {
		f.Add(s)
	}
	for s := range refused {
		f.Add(s)
	}
	g, w := newGuard(f)
	vetted := map[string]bool{"exists": true, "_CAST": true, "__getScalar": true, "__scalarSubqueryResult": true}
	for _, n := range guard.Vetted() {
		vetted[n] = true
	}
	folded := caseInsensitive(f, w, vetted)
	f.Fuzz(func(t *testing.T, stmt string) {
		canon, err := g.Check(context.Background(), stmt)
		if err != nil {
			return
		}
		res, err := w.Query(context.Background(), "EXPLAIN QUERY TREE "+canon, nil)
		if err != nil {
			return // well-formed but wrong (an unknown column …): nothing runs
		}
		for _, r := range res.Rows {
			checkTreeLine(t, canon, fmt.Sprint(r[0]), vetted, folded)
		}
	})
}

func checkTreeLine(t *testing.T, canon, line string, vetted, folded map[string]bool) {
	t.Helper()
	if strings.Contains(line, "TABLE_FUNCTION") {
		t.Fatalf("%q reads a table function: %s", canon, line)
	}
	if m := treeTable.FindStringSubmatch(line); m != nil && m[1] != "default.requests" && m[1] != "system.one" {
		t.Fatalf("%q reads %s", canon, m[1])
	}
	if m := treeFunction.FindStringSubmatch(line); m != nil && !vettedWithCombinators(m[1], vetted) && !folded[strings.ToLower(m[1])] {
		t.Fatalf("%q calls %s", canon, m[1])
	}
}

// caseInsensitive lists, lower-cased, the vetted functions the engine's
// catalog says it resolves in any case (the analyzer prints such a name as
// it was typed).
func caseInsensitive(f *testing.F, w warehouse.Warehouse, vetted map[string]bool) map[string]bool {
	res, err := w.Query(context.Background(), "SELECT name FROM system.functions WHERE case_insensitive", nil)
	if err != nil {
		f.Fatal(err)
	}
	m := map[string]bool{}
	for _, r := range res.Rows {
		if n := fmt.Sprint(r[0]); vetted[n] {
			m[strings.ToLower(n)] = true
		}
	}
	return m
}

var combinators = []string{"SimpleState", "OrDefault", "Distinct", "Resample", "ForEach", "ArgMax", "ArgMin", "OrNull", "Merge", "State", "Array", "Null", "Map", "If"}

func vettedWithCombinators(name string, vetted map[string]bool) bool {
	for i := 0; i < 4; i++ {
		if vetted[name] {
			return true
		}
		cut := false
		for _, c := range combinators {
			if b, ok := strings.CutSuffix(name, c); ok && b != "" {
				name, cut = b, true
				break
			}
		}
		if !cut {
			return false
		}
	}
	return false
}
