package edgelog

import "strconv"

// combined parses the Apache/nginx combined and common log formats:
//
//	[vhost:port] host ident user [time] "request" status bytes ["referer" "user-agent" ["x-forwarded-for"]]
type combined struct {
	q       request
	scratch []byte
}

func (c *combined) parse(line []byte, r *row) (string, bool) {
	if blank(line) {
		return "", true
	}
	c.scratch = c.scratch[:0]
	f, i, _, ok := field(line, 0)
	if !ok || !parseIP(f, &r.ip) {
		host := f
		if f, i, _, ok = field(line, i); !ok || !parseIP(f, &r.ip) {
			return "bad client address " + strconv.Quote(clip(host, 64)), false
		}
		r.host = stripPort(host)
	}
	var t []byte
	for k := 0; k < 3 && ok; k++ { // ident, user, [time]
		t, i, _, ok = field(line, i)
	}
	if !ok || i < 1 || line[i-1] != ']' {
		return "no [time]", false
	}
	if r.ts, ok = parseCLF(t); !ok {
		return "bad time " + strconv.Quote(clip(t, 64)), false
	}
	return c.rest(line, i, r)
}

// rest reads from the request on.
func (c *combined) rest(line []byte, i int, r *row) (string, bool) {
	req, i, quoted, ok := field(line, i)
	if !ok || !quoted {
		return "no quoted request", false
	}
	c.q.parse(c.unq(req))
	st, i, _, ok := field(line, i)
	if !ok {
		return "no status", false
	}
	if r.status, ok = parseStatus(st); !ok {
		return "bad status " + strconv.Quote(clip(st, 64)), false
	}
	b, i, _, ok := field(line, i)
	if !ok {
		return "no bytes", false
	}
	if r.bytesOut, ok = parseUint(b); !ok {
		return "bad bytes " + strconv.Quote(clip(b, 64)), false
	}
	var opt [3][]byte // referer, user agent, x-forwarded-for
	for k := range opt {
		f, next, quoted, ok := field(line, i)
		if !ok || !quoted {
			break
		}
		opt[k], i = dash(c.unq(f)), next
	}
	r.method, r.path, r.query, r.httpVer, r.proto = c.q.method, c.q.path, c.q.query, c.q.proto, c.q.scheme
	if len(c.q.host) > 0 && len(r.host) == 0 {
		r.host = c.q.host
	}
	r.referer, r.ua, r.xff = opt[0], opt[1], opt[2]
	r.hasFwd = firstAddr(r.xff, &r.fwdIP)
	return "", false
}

// unq decodes a quoted field's escapes when it has any.
func (c *combined) unq(b []byte) []byte {
	for _, ch := range b {
		if ch == '\\' {
			n := len(c.scratch)
			c.scratch = unquote(c.scratch, b)
			return c.scratch[n:len(c.scratch):len(c.scratch)]
		}
	}
	return b
}

// stripPort drops a ":port" suffix from a host name.
func stripPort(h []byte) []byte {
	for i := len(h) - 1; i >= 0; i-- {
		switch c := h[i]; {
		case c == ':':
			return h[:i]
		case c < '0' || c > '9':
			return h
		}
	}
	return h
}
