package guard

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// node is one node of the engine's syntax tree, as `EXPLAIN AST` prints it:
// one line per node, indented one space per level, with the node's kind,
// an optional name (a function, identifier or table name, or a literal's
// text), an optional alias and, for inner nodes, its number of children.
type node struct {
	kind     string
	name     string
	alias    string
	line     int // 1-based line of the dump, for errors
	children []*node
}

var (
	childrenSuffix = regexp.MustCompile(` \(children (\d+)\)$`)
	aliasSuffix    = regexp.MustCompile(` \(alias (.*)\)$`)
	kindPrefix     = regexp.MustCompile(`^([A-Za-z]+)(?: (.*))?$`)
)

// parseAST reads an `EXPLAIN AST` dump into its tree. It is strict: every
// line must be a node exactly one level below its parent, and every node
// must have exactly the children it declares. The dump prints names
// unquoted, so a name holding a newline would add lines; the counts make
// such a dump fail here rather than be read as another tree.
func parseAST(dump string) (*node, error) {
	lines := strings.Split(strings.TrimRight(dump, "\n"), "\n")
	var stack []*node // stack[d] is the open node at depth d
	var want []int    // declared children of stack[d]
	var root *node
	for i, l := range lines {
		depth := len(l) - len(strings.TrimLeft(l, " "))
		n, count, err := parseLine(l[depth:], i+1)
		if err != nil {
			return nil, err
		}
		switch {
		case depth == 0 && root == nil:
			root = n
		case depth == 0 || depth > len(stack):
			return nil, fmt.Errorf("line %d: a node out of place", i+1)
		default:
			parent := stack[depth-1]
			if len(parent.children) == want[depth-1] {
				return nil, fmt.Errorf("line %d: %s has more children than it declares", i+1, parent.kind)
			}
			parent.children = append(parent.children, n)
		}
		if err := closeBelow(stack, want, depth); err != nil {
			return nil, err
		}
		stack, want = append(stack[:depth], n), append(want[:depth], count)
	}
	if root == nil {
		return nil, fmt.Errorf("empty syntax tree")
	}
	return root, closeBelow(stack, want, 0)
}

// closeBelow checks that every open node at depth ≥ d got all its children.
func closeBelow(stack []*node, want []int, d int) error {
	for j := d; j < len(stack); j++ {
		if len(stack[j].children) != want[j] {
			return fmt.Errorf("line %d: %s declares %d children, has %d", stack[j].line, stack[j].kind, want[j], len(stack[j].children))
		}
	}
	return nil
}

// parseLine reads one line without its indentation.
func parseLine(l string, line int) (*node, int, error) {
	count := 0
	if m := childrenSuffix.FindStringSubmatch(l); m != nil {
		c, err := strconv.Atoi(m[1])
		if err != nil || c > 1<<16 {
			return nil, 0, fmt.Errorf("line %d: bad children count", line)
		}
		count, l = c, l[:len(l)-len(m[0])]
	}
	n := &node{line: line}
	if m := aliasSuffix.FindStringSubmatch(l); m != nil {
		n.alias, l = m[1], l[:len(l)-len(m[0])]
	}
	m := kindPrefix.FindStringSubmatch(l)
	if m == nil {
		return nil, 0, fmt.Errorf("line %d: not a syntax tree node", line)
	}
	n.kind, n.name = m[1], m[2]
	return n, count, nil
}

// walk calls fn for n and every node below it, with the node's parent.
func walk(n, parent *node, fn func(n, parent *node) error) error {
	if err := fn(n, parent); err != nil {
		return err
	}
	for _, c := range n.children {
		if err := walk(c, n, fn); err != nil {
			return err
		}
	}
	return nil
}
