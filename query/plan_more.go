package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// hits parses `hits IP|CIDR [WINDOW]` (default: the last 24 hours).
func (p *parser) hits() (*Plan, error) {
	p.i = 1
	if p.peek() == "from" || p.peek() == "for" || p.peek() == "by" {
		p.i++
	}
	if !p.more() {
		return nil, errorf("`hits` needs an IP or CIDR: `hits 1.2.3.4 last 24h`")
	}
	prefix, err := ParsePrefix(p.orig[p.i])
	if err != nil {
		return nil, errorf("%v%w: `hits 1.2.3.4` or `hits 10.0.0.0/8`", err, errValue)
	}
	p.i++
	w, err := p.window(24 * time.Hour)
	if err != nil {
		return nil, err
	}
	params := base(w)
	params["ip_from"], params["ip_to"] = IPRange(prefix)
	params["limit"] = strconv.Itoa(p.e.opts.DefaultLimit)
	who := prefix.Addr().String()
	if prefix.Bits() < prefix.Addr().BitLen() {
		who = prefix.String()
	}
	return &Plan{Kind: "hits", Query: "hits", Params: params, Window: w,
		Title: fmt.Sprintf("Hits from %s, %s", who, w.String(p.e.opts.Location))}, nil
}

// traffic parses `traffic [PATH|HOST] [WINDOW]`.
func (p *parser) traffic() (*Plan, error) {
	p.i = 1
	var f Filter
	if p.more() && !p.windowAhead(p.i) {
		if p.peek() == "for" || p.peek() == "on" || p.peek() == "to" {
			p.i++
		}
		if !p.more() {
			return nil, errorf("`traffic` takes a path or a host: `traffic /donate`, `traffic api.example.org`")
		}
		err := f.add("", p.orig[p.i])
		if err != nil || f.Prefix.IsValid() || f.hasStatus {
			return nil, errorf("`traffic` takes a path or a host (`traffic /donate`, `traffic api.example.org`), not %q", p.orig[p.i])
		}
		p.i++
	}
	w, err := p.window(time.Hour)
	if err != nil {
		return nil, err
	}
	st := step(w)
	params := base(w)
	params["path"], params["host"], params["step"] = f.Path, f.Host, strconv.Itoa(int(st/time.Second))
	what := "all requests"
	if len(f.Labels) > 0 {
		what = f.Labels[0]
	}
	return &Plan{Kind: "traffic", Query: "traffic", Params: params, Window: w, Step: st,
		Title: fmt.Sprintf("Traffic for %s in %s buckets, %s", what, stepLabel(st), w.String(p.e.opts.Location))}, nil
}

// status parses `status [WINDOW]`.
func (p *parser) status() (*Plan, error) {
	p.i = 1
	if p.peek() == "mix" || p.peek() == "codes" {
		p.i++
	}
	w, err := p.window(time.Hour)
	if err != nil {
		return nil, err
	}
	return &Plan{Kind: "status", Query: "status", Params: base(w), Window: w,
		Title: "Status mix, " + w.String(p.e.opts.Location)}, nil
}

// rate parses `rate [WHAT] [WINDOW]` (WHAT: 5xx by default).
func (p *parser) rate() (*Plan, error) {
	p.i = 1
	what, _ := parseWhat("5xx", 0)
	if w, ok := parseWhat(p.peek(), p.e.opts.SlowSeconds); ok {
		if w.Bytes || w.StatusMax-w.StatusMin == 999 && w.MinSeconds == 0 {
			return nil, errorf("`rate` takes a status class, a status or slow: `rate 5xx`, `rate 404`, `rate slow`")
		}
		what = w
		p.i++
	}
	return p.series("rate", what, "percent", "%s rate")
}

// graph parses `graph [WHAT] [WINDOW]` (WHAT: requests by default).
func (p *parser) graph() (*Plan, error) {
	p.i = 1
	what, _ := parseWhat("requests", 0)
	if w, ok := parseWhat(p.peek(), p.e.opts.SlowSeconds); ok {
		what = w
		p.i++
	}
	return p.series("graph", what, "matched", "%s")
}

// series plans rate.sql (or traffic.sql for bytes) over the window.
func (p *parser) series(kind string, what What, plot, title string) (*Plan, error) {
	w, err := p.window(time.Hour)
	if err != nil {
		return nil, err
	}
	st := step(w)
	params := base(w)
	params["step"] = strconv.Itoa(int(st / time.Second))
	pl := &Plan{Kind: kind, Query: "rate", Params: params, Window: w, What: what, Plot: plot, Step: st}
	if what.Bytes {
		pl.Query, pl.Plot = "traffic", "bytes"
		params["path"], params["host"] = "", ""
	} else {
		params["status_min"], params["status_max"] = strconv.Itoa(what.StatusMin), strconv.Itoa(what.StatusMax)
		if what.MinSeconds > 0 { // time-taken is not in the hourly projection rate.sql uses
			pl.Query = "rate_slow"
			params["min_seconds"] = strconv.FormatFloat(what.MinSeconds, 'g', -1, 64)
		}
	}
	pl.Title = fmt.Sprintf(title, upperFirst(what.Label))
	if kind == "graph" {
		pl.Title += " per " + stepPer(st)
	}
	pl.Title += ", " + w.String(p.e.opts.Location)
	return pl, nil
}

// slowest parses `slowest [N] [paths] [WINDOW]`.
func (p *parser) slowest() (*Plan, error) {
	p.i = 1
	limit, _, err := p.limit()
	if err != nil {
		return nil, err
	}
	switch p.peek() {
	case "paths", "path", "urls", "url", "pages":
		p.i++
	}
	w, err := p.window(time.Hour)
	if err != nil {
		return nil, err
	}
	params := base(w)
	params["limit"], params["min_requests"] = strconv.Itoa(limit), "10"
	return &Plan{Kind: "slowest", Query: "slowest_paths", Params: params, Window: w,
		Title: fmt.Sprintf("Slowest %d paths by p95 time-taken, %s", limit, w.String(p.e.opts.Location))}, nil
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stepPer names a bucket width after "per": "minute", "5 minutes", "hour".
func stepPer(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	switch {
	case d%(24*time.Hour) == 0:
		n, unit = int(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
