// Package redirect is the vocabulary of the URL redirect map opsbot keeps
// at the edge (edge/redirect/cloudfront, edge/redirect/fastly): a Rule, how
// a rule is stored as one key and one value, how a request path finds its
// rule (the same lookup the edge code shipped beside each provider runs),
// and the checks every new rule passes before anyone is asked to confirm
// it (Policy: paths, targets, open redirects, loops and chains).
//
// A rule's From is a canonical path ("/old/path"), or a prefix rule ending
// in "*" ("/campaign*") that covers its base and everything below it by
// whole segments: "/campaign*" covers /campaign, /campaign/ and
// /campaign/2024/x, never /campaigns.
package redirect

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Statuses a rule may answer with.
var Statuses = []int{301, 302, 307, 308}

// Rule is one entry of the map.
type Rule struct {
	From   string // canonical path; a prefix rule ends in "*"
	To     string // an absolute https URL or a path on the same site
	Status int    // 301, 302, 307 or 308; 0 for an edge value opsbot cannot read
}

// Prefix reports whether r covers a path and everything below it.
func (r Rule) Prefix() bool { return strings.HasSuffix(r.From, "*") }

// Base is From without the prefix marker.
func (r Rule) Base() string { return strings.TrimSuffix(r.From, "*") }

// Value is r as the edge stores it: "301 https://www.example.org/new".
func (r Rule) Value() string { return strconv.Itoa(r.Status) + " " + r.To }

func (r Rule) String() string { return fmt.Sprintf("%s → %s (%d)", r.From, r.To, r.Status) }

// ErrBadValue: an edge entry opsbot did not write in its own format.
var ErrBadValue = errors.New("not a redirect value (STATUS URL)")

// ParseValue reads a stored value back into the rule for key. A value in
// another format (an entry written by hand) gives a rule with Status 0 and
// To the raw value, and ErrBadValue: the edge code skips it too.
func ParseValue(key, v string) (Rule, error) {
	code, to, ok := strings.Cut(v, " ")
	n, err := strconv.Atoi(code)
	if !ok || err != nil || !validStatus(n) || to == "" || strings.ContainsAny(to, " \t\r\n") {
		return Rule{From: key, To: v}, ErrBadValue
	}
	return Rule{From: key, To: to, Status: n}, nil
}

func validStatus(n int) bool {
	for _, s := range Statuses {
		if n == s {
			return true
		}
	}
	return false
}

// ParseStatus reads "301" … "308".
func ParseStatus(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && validStatus(n)
}

// Candidates are the keys an edge looks up for a request path, in order,
// the first found wins: the path itself, then the prefix keys of the path
// and of each ancestor, deepest first, for ancestors at most depth
// segments deep. "/a/b/c" gives "/a/b/c", "/a/b/c*", "/a/b*", "/a*".
// edge/redirect/cloudfront/function/redirects.js and
// edge/redirect/fastly/redirects.vcl compute the same list.
func Candidates(path string, depth int) []string {
	out := []string{path}
	base := strings.TrimRight(path, "/")
	var bases []string
	for base != "" {
		bases = append(bases, base)
		base = base[:strings.LastIndexByte(base, '/')]
	}
	for _, b := range bases {
		if strings.Count(b, "/") <= depth {
			out = append(out, b+"*")
		}
	}
	return out
}

// Lookup finds the rule a request for path gets from m (keyed by From):
// the first candidate m holds with a readable value.
func Lookup(m map[string]Rule, path string, depth int) (Rule, bool) {
	for _, k := range Candidates(path, depth) {
		if r, ok := m[k]; ok && r.Status != 0 {
			return r, true
		}
	}
	return Rule{}, false
}

// Map indexes rules by From.
func Map(rules []Rule) map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.From] = r
	}
	return m
}

// Caps are what one edge's map holds.
type Caps struct {
	MaxKey, MaxValue int    // longest key and value (0: no limit)
	MaxItems         int    // most rules the map holds (0: no known limit)
	Unit             string // what the limits count: "bytes" or "characters"
	Depth            int    // deepest prefix rule, in segments
	Prefix           bool   // prefix rules are supported
	Store            string // "a CloudFront KeyValueStore", for messages
}

// Fits refuses a key or value past the edge's limits, naming the limit.
func (c Caps) Fits(key, value string) error {
	n := func(s string) int {
		if c.Unit == "characters" {
			return utf8.RuneCountInString(s)
		}
		return len(s)
	}
	switch {
	case c.MaxKey > 0 && n(key) > c.MaxKey:
		return fmt.Errorf("the source is %d %s long: %s holds keys of up to %d", n(key), c.Unit, c.Store, c.MaxKey)
	case c.MaxValue > 0 && n(value) > c.MaxValue:
		return fmt.Errorf("the target is too long: %s holds values of up to %d %s, this one is %d", c.Store, c.MaxValue, c.Unit, n(value))
	}
	return nil
}

// Room refuses a new rule for a map that holds n rules already, at
// MaxItems.
func (c Caps) Room(n int) error {
	if c.MaxItems > 0 && n >= c.MaxItems {
		return fmt.Errorf("%s holds at most %d rules and holds %d: remove some first", c.Store, c.MaxItems, n)
	}
	return nil
}

// Allows refuses a rule the edge cannot hold: a prefix rule where the
// edge has none, or one deeper than its lookup goes.
func (c Caps) Allows(r Rule) error {
	if !r.Prefix() {
		return nil
	}
	if !c.Prefix {
		return fmt.Errorf("%s holds exact paths only, not prefix rules", c.Store)
	}
	if d := strings.Count(r.Base(), "/"); d > c.Depth {
		return fmt.Errorf("%s is %d segments deep: the edge looks up prefix rules up to %d deep", r.From, d, c.Depth)
	}
	return nil
}
