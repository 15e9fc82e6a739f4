package guard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/opsbot/opsbot/warehouse"
)

// syntaxFunctions are written as functions in the syntax tree but are not
// in the engine's catalog: a lambda's `x -> …` and EXISTS (subquery).
var syntaxFunctions = []string{"lambda", "exists"}

// maxCombinators bounds how many combinator suffixes (countIf,
// sumArrayIf …) one aggregate name may carry.
const maxCombinators = 3

// functions is the vetted list resolved against one engine's catalog.
type functions struct {
	known       map[string]bool // every name in the engine's catalog
	exact       map[string]bool // vetted names and their aliases
	folded      map[string]bool // lower-case spellings the engine resolves case-insensitively
	aggregates  map[string]bool // vetted aggregate names and aliases (exact)
	combinators []string        // the engine's combinator suffixes, longest first
}

// loadFunctions reads system.functions and the aggregate combinators. An
// alias is allowed when what it names is vetted; a case-insensitive
// spelling when the engine says the function is case-insensitive.
func loadFunctions(ctx context.Context, w warehouse.Warehouse) (*functions, error) {
	res, err := w.Query(ctx, "SELECT name, alias_to, case_insensitive, is_aggregate FROM system.functions", nil, warehouse.ReadOnly())
	if err != nil {
		return nil, fmt.Errorf("read system.functions: %w", err)
	}
	f := &functions{known: map[string]bool{}, exact: map[string]bool{}, folded: map[string]bool{}, aggregates: map[string]bool{}}
	ok := map[string]bool{}
	for _, n := range vetted {
		ok[n] = true
	}
	for _, n := range syntaxFunctions {
		f.exact[n] = true
	}
	for _, r := range res.Rows {
		f.add(ok, fmt.Sprint(r[0]), fmt.Sprint(r[1]), truthy(r[2]), truthy(r[3]))
	}
	if f.combinators, err = loadCombinators(ctx, w); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *functions) add(ok map[string]bool, name, aliasTo string, caseInsensitive, aggregate bool) {
	f.known[name] = true
	target := name
	if aliasTo != "" {
		target = aliasTo
	}
	if !ok[target] {
		return
	}
	f.exact[name] = true
	if caseInsensitive {
		f.folded[strings.ToLower(name)] = true
	}
	if aggregate {
		f.aggregates[name] = true
	}
}

func loadCombinators(ctx context.Context, w warehouse.Warehouse) ([]string, error) {
	res, err := w.Query(ctx, "SELECT name FROM system.aggregate_function_combinators", nil, warehouse.ReadOnly())
	if err != nil {
		return nil, fmt.Errorf("read system.aggregate_function_combinators: %w", err)
	}
	var cs []string
	for _, r := range res.Rows {
		cs = append(cs, fmt.Sprint(r[0]))
	}
	sort.Slice(cs, func(i, j int) bool { return len(cs[i]) > len(cs[j]) })
	return cs, nil
}

// allowed reports whether name resolves to a vetted function: itself, or,
// when the engine has no function of exactly that name, a case-insensitive
// spelling or a vetted aggregate with combinators (the engine resolves an
// exact name first).
func (f *functions) allowed(name string) bool {
	if f.exact[name] {
		return true
	}
	if f.known[name] {
		return false
	}
	return f.folded[strings.ToLower(name)] || f.combined(name, maxCombinators)
}

// combined reads name as an aggregate followed by combinator suffixes.
func (f *functions) combined(name string, depth int) bool {
	if depth == 0 {
		return false
	}
	for _, c := range f.combinators {
		base, found := strings.CutSuffix(name, c)
		if !found || base == "" {
			continue
		}
		if f.aggregates[base] || f.combined(base, depth-1) {
			return true
		}
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case uint64:
		return x != 0
	case int64:
		return x != 0
	}
	return false
}
