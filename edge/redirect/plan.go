package redirect

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxHops is how many redirects `redirect test` follows before it calls
// the chain a loop.
const MaxHops = 10

// Conflict is a refusal that a --replace would lift: the source already
// has a rule.
type Conflict struct{ Have Rule }

func (c *Conflict) Error() string {
	return fmt.Sprintf("%s already redirects to %s (%d): add --replace to replace it", c.Have.From, c.Have.To, c.Have.Status)
}

// Check refuses adding r (its target t, checked by Policy.Target) to the
// map have (keyed by From): a source that already has a rule (a
// *Conflict, unless replace), a rule that redirects to itself, a loop
// (a → b → a), and a chain of two hops either way (a → b where b already
// redirects, or x → a where a would now redirect): each refusal says
// which rule to write instead. depth is the edge's prefix depth.
// Check runs against each edge's own map, read back from the edge.
func (p Policy) Check(have map[string]Rule, r Rule, t Target, replace bool, depth int) error {
	if old, ok := have[r.From]; ok && !replace {
		return &Conflict{Have: old}
	}
	next := withRule(have, r)
	if t.Path != "" {
		if matches(r, t.Path) {
			return fmt.Errorf("%s would redirect to %s, which it covers itself: a loop", r.From, t.Path)
		}
		if hop, ok := Lookup(next, t.Path, depth); ok {
			return p.chainErr(r, hop, next, depth)
		}
	}
	for _, x := range have {
		if x.From == r.From {
			continue
		}
		if sp := p.sitePath(x.To); sp != "" && matches(r, sp) {
			return fmt.Errorf("%s already redirects to %s, which this rule would redirect again (two hops): point it straight at the end instead, `redirect %s %s %d --replace`",
				x.From, x.To, x.From, r.To, x.Status)
		}
	}
	return nil
}

func (p Policy) chainErr(r, hop Rule, m map[string]Rule, depth int) error {
	if sp := p.sitePath(hop.To); sp != "" && matches(r, sp) {
		return fmt.Errorf("a loop: %s → %s → %s", r.From, hop.From, hop.To)
	}
	if _, ok := Lookup(m, p.sitePath(hop.To), depth); p.sitePath(hop.To) != "" && ok {
		return fmt.Errorf("%s already redirects to %s, which redirects again: a chain; fix that chain first", hop.From, hop.To)
	}
	return fmt.Errorf("%s already redirects to %s: that would be two hops; point it straight there: `redirect %s %s %d`",
		hop.From, hop.To, r.From, hop.To, r.Status)
}

// matches reports whether rule r covers path.
func matches(r Rule, path string) bool {
	if !r.Prefix() {
		return r.From == path
	}
	b := r.Base()
	return path == b || strings.HasPrefix(path, b+"/")
}

func withRule(have map[string]Rule, r Rule) map[string]Rule {
	m := make(map[string]Rule, len(have)+1)
	for k, v := range have {
		m[k] = v
	}
	m[r.From] = r
	return m
}

// sitePath is the canonical path of a same-site target: a bare path, or
// an https URL on Site; "" for any other host.
func (p Policy) sitePath(to string) string {
	if strings.HasPrefix(to, "/") && !strings.HasPrefix(to, "//") {
		if u, err := url.Parse(to); err == nil {
			return cmpPath(u)
		}
		return ""
	}
	if t, err := p.Target(to); err == nil {
		return t.Path
	}
	return ""
}

// Hop is one redirect a request meets.
type Hop struct {
	Path string // the path requested
	Rule Rule   // the rule it met
}

// Follow is what a request for path meets in m: each hop, following
// same-site targets, until a path no rule covers, another host, a loop or
// MaxHops. loop reports a path met twice (or MaxHops reached).
func (p Policy) Follow(m map[string]Rule, path string, depth int) (hops []Hop, loop bool) {
	seen := map[string]bool{}
	for len(hops) < MaxHops {
		if seen[path] {
			return hops, true
		}
		seen[path] = true
		r, ok := Lookup(m, path, depth)
		if !ok {
			return hops, false
		}
		hops = append(hops, Hop{Path: path, Rule: r})
		if path = p.sitePath(r.To); path == "" {
			return hops, false
		}
	}
	return hops, true
}

// SameTarget reports whether a and b send a browser to the same place: equal,
// or one a same-site path and the other that path as an https URL on Site
// (an edge that holds absolute targets only, such as Cloudflare's, stores
// "/new" as "https://www.example.org/new").
func (p Policy) SameTarget(a, b string) bool {
	return a == b || p.local(a) == p.local(b)
}

// local is an https URL on Site as its path (and query), else s.
func (p Policy) local(s string) string {
	rest, ok := cutScheme(s)
	if !ok || p.Site == "" || len(rest) <= len(p.Site) || !strings.EqualFold(rest[:len(p.Site)], p.Site) {
		return s
	}
	if tail := rest[len(p.Site):]; strings.HasPrefix(tail, "/") {
		return tail
	}
	return s
}
