package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// top parses `top [N] WHAT by DIMENSION [for|on FILTER] [WINDOW]`.
func (p *parser) top() (*Plan, error) {
	p.i = 1
	limit, what, err := p.topHead()
	if err != nil {
		return nil, err
	}
	if p.peek() == "by" || p.peek() == "per" {
		p.i++
	}
	dim, n, ok := parseDimension(p.low[p.i:])
	if !ok {
		return nil, errorf("`top` needs what to group by: `top 4xx by ip` (by %s)", dimensionList())
	}
	p.i += n
	var f Filter
	if err := p.filters(&f); err != nil {
		return nil, err
	}
	w, err := p.window(time.Hour)
	if err != nil {
		return nil, err
	}
	return p.e.topPlan(limit, what, dim, f, w)
}

// topHead reads [N] WHAT: "top 20 4xx", "top 404", "top ips".
func (p *parser) topHead() (int, What, error) {
	requests, _ := parseWhat("requests", 0)
	w := p.peek()
	if codeRe.MatchString(w) && !p.whatAt(p.i+1) { // "top 404 by ip": 404 is WHAT
		what, _ := parseWhat(w, p.e.opts.SlowSeconds)
		p.i++
		return p.e.opts.DefaultLimit, what, nil
	}
	limit, _, err := p.limit()
	if err != nil {
		return 0, What{}, err
	}
	if what, ok := parseWhat(p.peek(), p.e.opts.SlowSeconds); ok {
		p.i++
		return limit, what, nil
	}
	if _, _, ok := parseDimension(p.low[p.i:]); ok || p.peek() == "by" {
		return limit, requests, nil
	}
	return 0, What{}, errorf("%q is not something I can count: use requests, 4xx, 5xx, errors, a status such as 404, bytes or slow", p.orig[min(p.i, len(p.orig)-1)])
}

func (p *parser) whatAt(i int) bool {
	_, ok := parseWhat(p.at(i), 1)
	return ok
}

// filters reads `for|on [path|host|ip|status] VALUE` clauses (the key word
// optional, several allowed) until a window starts.
func (p *parser) filters(f *Filter) error {
	for p.more() && !p.windowAhead(p.i) {
		switch p.peek() {
		case "for", "on", "to", "at", "from", "where", "with", "and", "matching":
			p.i++
		}
		key := ""
		if _, ok := filterKeys[p.peek()]; ok && p.i+1 < len(p.low) {
			key = p.peek()
			p.i++
		}
		if !p.more() {
			return errorf("a filter needs a value: `for /donate`, `on www.example.org`, `for 10.0.0.0/8`, `for 404`")
		}
		if err := f.add(key, p.orig[p.i]); err != nil {
			return errorf("%v", err)
		}
		p.i++
	}
	return nil
}

func (e *Engine) topPlan(limit int, what What, dim Dimension, f Filter, w Window) (*Plan, error) {
	params := base(w)
	lo, hi := what.StatusMin, what.StatusMax
	if f.hasStatus {
		lo, hi = max(lo, f.StatusMin), min(hi, f.StatusMax)
	}
	if lo > hi { // "top 4xx … for 503": nothing can match; an empty answer says so
		lo, hi = 1, 0
	}
	ipFrom, ipTo := "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
	if f.Prefix.IsValid() {
		ipFrom, ipTo = IPRange(f.Prefix)
	}
	by := "requests"
	if what.Bytes {
		by = "bytes"
	}
	for k, v := range map[string]string{
		"status_min": strconv.Itoa(lo), "status_max": strconv.Itoa(hi),
		"min_seconds": strconv.FormatFloat(what.MinSeconds, 'g', -1, 64),
		"path":        f.Path, "host": f.Host, "ip_from": ipFrom, "ip_to": ipTo,
		"by": by, "limit": strconv.Itoa(limit),
	} {
		params[k] = v
	}
	name := "top_by_" + dim.Name
	if rung, ok := slowRollup(what, dim, f); ok {
		name = "top_slow_by_" + dim.Name
		delete(params, "min_seconds")
		params["rung"] = strconv.Itoa(rung)
	}
	title := fmt.Sprintf("Top %d %s by %s", limit, what.Label, strings.ReplaceAll(dim.Name, "_", " "))
	if len(f.Labels) > 0 {
		title += " for " + strings.Join(f.Labels, " ")
	}
	return &Plan{Kind: "top", Query: name, Params: params, Window: w, What: what,
		Title: title + ", " + w.String(e.opts.Location)}, nil
}

func dimensionList() string {
	names := make([]string, len(Dimensions))
	for i, d := range Dimensions {
		names[i] = d.Words[0]
	}
	return strings.Join(names, ", ")
}
