package edgelog

import "bytes"

// fastly reads Fastly logs: the "classic" syslog line carrying the default
// common-log format, and JSON objects with or without a syslog prefix
// ("blank" message type). The JSON keys are in the package documentation.
type fastly struct {
	clf  combined
	js   jsonLines
	keys fastlyJSON
	pop  []byte
}

func newFastly() *fastly {
	f := &fastly{}
	f.js.f = &f.keys
	return f
}

func (f *fastly) parse(line []byte, r *row) (string, bool) {
	if blank(line) {
		return "", true
	}
	var host []byte
	if len(line) > 0 && line[0] == '<' {
		h, rest, ok := cutSyslog(line)
		if !ok {
			return "bad syslog prefix", false
		}
		host, line = h, rest
	}
	var reason string
	if t := bytes.TrimLeft(line, " "); len(t) > 0 && t[0] == '{' {
		reason = f.js.object(t, r)
	} else {
		reason, _ = f.clf.parse(line, r)
	}
	if reason == "" && len(r.edge) == 0 && len(host) > 0 {
		f.pop = popOf(f.pop[:0], host)
		r.edge = f.pop
	}
	return reason, false
}

// cutSyslog splits a syslog line into the sending host and the message. It
// reads RFC 3164 style ("<134>2026-11-22T10:00:00Z cache-sjc1 name[1]: msg",
// Fastly's classic) and RFC 5424 ("<134>1 TIMESTAMP HOST APP PROCID MSGID
// SD msg", Fastly's loggly).
func cutSyslog(line []byte) (host, msg []byte, ok bool) {
	end := bytes.IndexByte(line, '>')
	if len(line) == 0 || line[0] != '<' || end < 2 || end > 4 {
		return nil, nil, false
	}
	if _, ok := digits(line, 1, end-1); !ok {
		return nil, nil, false
	}
	rest := line[end+1:]
	if len(rest) > 2 && rest[0] == '1' && rest[1] == ' ' {
		return cut5424(rest[2:])
	}
	var f [3][]byte // timestamp, host, tag
	i := 0
	for k := range f {
		var ok bool
		if f[k], i, _, ok = field(rest, i); !ok {
			return nil, nil, false
		}
	}
	if len(f[2]) == 0 || f[2][len(f[2])-1] != ':' {
		return nil, nil, false
	}
	if i < len(rest) && rest[i] == ' ' {
		i++
	}
	return f[1], rest[i:], true
}

func cut5424(rest []byte) (host, msg []byte, ok bool) {
	var f [6][]byte // timestamp, host, app, procid, msgid, structured data
	i := 0
	for k := range f {
		if f[k], i, _, ok = field(rest, i); !ok {
			return nil, nil, false
		}
	}
	if i < len(rest) && rest[i] == ' ' {
		i++
	}
	return f[1], rest[i:], true
}

// popOf appends the POP code of a Fastly cache server name to dst:
// "cache-sjc10042" → "SJC", "cache-lhr7380-LHR" → "LHR"; other names are
// kept whole.
func popOf(dst, host []byte) []byte {
	rest, ok := bytes.CutPrefix(host, []byte("cache-"))
	if !ok {
		return append(dst, host...)
	}
	n := 0
	for n < len(rest) && (rest[n] >= 'a' && rest[n] <= 'z' || rest[n] >= 'A' && rest[n] <= 'Z') {
		n++
	}
	if n == 0 {
		return append(dst, host...)
	}
	return upper(dst, rest[:n])
}

// fastlyKey says whether a JSON key is one the Fastly mapping reads.
func fastlyKey(k []byte) bool {
	var r row
	var f fastlyJSON
	f.begin()
	f.member(k, nil, 's', &r)
	return f.known
}

// fastlyJSON maps Fastly JSON members (see the package documentation).
type fastlyJSON struct {
	hasTS, hasIP, known bool
	bytesIn, bytesOut   uint64
	scratch             []byte
}

func (f *fastlyJSON) begin() {
	f.hasTS, f.hasIP, f.known, f.bytesIn, f.bytesOut = false, false, false, 0, 0
	f.scratch = f.scratch[:0]
}

func (f *fastlyJSON) member(key, val []byte, kind byte, r *row) string {
	f.known = true
	var ok bool
	switch string(key) {
	case "timestamp", "time", "time_start", "start_time":
		if r.ts, ok = jsonTime(val); !ok && len(val) > 0 {
			return bad(string(key), val)
		}
		f.hasTS = ok
	case "client_ip", "ip", "client", "remote_addr":
		if f.hasIP = parseIP(val, &r.ip); !f.hasIP && len(val) > 0 {
			return bad(string(key), val)
		}
	case "response_status", "status", "resp_status":
		if r.status, ok = parseStatus(val); !ok {
			return bad(string(key), val)
		}
	case "asn", "client_asn", "geo_asn", "client_as_number":
		v, ok := jsonUint(val)
		if !ok || v > 1<<32-1 {
			return bad(string(key), val)
		}
		r.asn = uint32(v)
	default:
		return f.sizes(key, val, r)
	}
	return ""
}

func (f *fastlyJSON) sizes(key, val []byte, r *row) string {
	var v uint64
	var ok bool
	switch string(key) {
	case "request_size", "req_bytes", "request_bytes", "req_body_size", "req_header_size":
		v, ok = jsonUint(val)
		f.bytesIn += v
	case "response_body_size", "resp_bytes", "response_bytes", "bytes", "resp_body_size", "resp_header_size":
		v, ok = jsonUint(val)
		f.bytesOut += v
	default:
		return f.elapsed(key, val, r)
	}
	if !ok {
		return bad(string(key), val)
	}
	return ""
}

func (f *fastlyJSON) elapsed(key, val []byte, r *row) string {
	var scale float64
	switch string(key) {
	case "time_elapsed", "time_elapsed_usec", "elapsed_usec":
		scale = 1e-6
	case "time_elapsed_msec", "elapsed_msec", "request_time_ms":
		scale = 1e-3
	case "duration", "time_taken", "elapsed":
		scale = 1
	default:
		return f.strings(key, val, r)
	}
	v, ok := parseFloat(val)
	if !ok || v < 0 {
		return bad(string(key), val)
	}
	r.timeTaken = float32(v * scale)
	return ""
}

func (f *fastlyJSON) strings(key, val []byte, r *row) string {
	switch string(key) {
	case "request_method", "method":
		r.method = val
	case "host", "request_host":
		r.host = val
	case "url", "request_url", "uri":
		r.path, r.query = splitURI(val)
	case "path":
		r.path = val
	case "query":
		r.query = trimQ(val)
	case "request_user_agent", "user_agent", "useragent":
		r.ua = val
	case "request_referer", "referer", "referrer":
		r.referer = val
	case "response_state", "cache_status", "state":
		r.cache = val
	case "request_scheme", "scheme", "protocol_scheme":
		r.proto = val
	case "request_protocol", "protocol", "http_version":
		r.httpVer = val
	case "x_forwarded_for", "forwarded_for", "xff":
		r.xff = val
		r.hasFwd = firstAddr(val, &r.fwdIP)
	case "request_id", "req_id", "xid":
		r.reqID = val
	default:
		return f.places(key, val, r)
	}
	return ""
}

func (f *fastlyJSON) places(key, val []byte, r *row) string {
	switch string(key) {
	case "pop", "datacenter", "server_datacenter":
		f.scratch = upper(f.scratch, val)
		r.edge = f.scratch[len(f.scratch)-len(val):]
	case "fastly_server", "server":
		if len(r.edge) == 0 {
			n := len(f.scratch)
			f.scratch = popOf(f.scratch, val)
			r.edge = f.scratch[n:]
		}
	case "geo_country_code", "country_code", "geo_country", "country":
		if len(r.country) == 0 || len(val) == 2 {
			n := len(f.scratch)
			f.scratch = upper(f.scratch, val)
			r.country = f.scratch[n:]
		}
	default:
		f.known = false
	}
	return ""
}

func (f *fastlyJSON) end(r *row) string {
	switch {
	case !f.hasTS:
		return "no timestamp"
	case !f.hasIP:
		return "no client_ip"
	}
	r.bytesIn, r.bytesOut = f.bytesIn, f.bytesOut
	return ""
}
