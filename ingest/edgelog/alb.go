package edgelog

import "strconv"

// ALB access log fields, in their documented order; edgelog reads the
// first 18 and accepts any number after them. The count includes the type
// field that Classic Load Balancer lines lack.
const (
	albType = iota
	albTime
	albELB
	albClient
	albTarget
	albRequestTime
	albTargetTime
	albResponseTime
	albELBStatus
	albTargetStatus
	albReceived
	albSent
	albRequest
	albUserAgent
	albSSLCipher
	albSSLProtocol
	albTargetGroup
	albTraceID
	albRead
)

// albMin is how many fields a line needs (type included): through the
// request.
const albMin = albRequest + 1

// alb parses AWS Application Load Balancer access logs, and Classic Load
// Balancer ones (the same fields without the leading type, up to
// ssl_protocol).
type alb struct {
	f       [albRead][]byte
	q       request
	scratch []byte
}

func (a *alb) parse(line []byte, r *row) (string, bool) {
	if blank(line) {
		return "", true
	}
	a.scratch = a.scratch[:0]
	n, i := 0, 0
	if first, _, _, ok := field(line, 0); ok && len(first) > 0 && first[0] >= '0' && first[0] <= '9' {
		a.f[albType], n = nil, 1 // a Classic Load Balancer line: no type field
	}
	for ; n < albRead; n++ {
		f, next, quoted, ok := field(line, i)
		if !ok {
			if next < len(line) {
				return "unterminated quote in field " + strconv.Itoa(n+1), false
			}
			break
		}
		if quoted {
			f = a.unq(f)
		}
		a.f[n], i = f, next
	}
	if n < albMin {
		return "line has " + strconv.Itoa(n) + " fields, want at least " + strconv.Itoa(albMin), false
	}
	for ; n < albRead; n++ {
		a.f[n] = nil
	}
	return a.row(r), false
}

func (a *alb) row(r *row) string {
	f := &a.f
	if f[albType] != nil && !albTypes(f[albType]) {
		return "bad type " + strconv.Quote(clip(f[albType], 32))
	}
	var ok bool
	if r.ts, ok = parseISO(f[albTime]); !ok {
		return "bad time " + strconv.Quote(clip(f[albTime], 64))
	}
	if !hostPort(f[albClient], &r.ip) {
		return "bad client:port " + strconv.Quote(clip(f[albClient], 64))
	}
	if r.status, ok = parseStatus(f[albELBStatus]); !ok {
		return "bad elb_status_code " + strconv.Quote(clip(f[albELBStatus], 32))
	}
	if r.bytesIn, ok = parseUint(f[albReceived]); !ok {
		return "bad received_bytes " + strconv.Quote(clip(f[albReceived], 32))
	}
	if r.bytesOut, ok = parseUint(f[albSent]); !ok {
		return "bad sent_bytes " + strconv.Quote(clip(f[albSent], 32))
	}
	var total float64
	for _, k := range [...]int{albRequestTime, albTargetTime, albResponseTime} {
		v, ok := parseFloat(f[k])
		if !ok {
			return "bad processing time " + strconv.Quote(clip(f[k], 32))
		}
		if v > 0 {
			total += v
		}
	}
	r.timeTaken = float32(total)
	a.strings(r)
	return ""
}

func (a *alb) strings(r *row) {
	f := &a.f
	a.q.parse(f[albRequest])
	r.method, r.host, r.path, r.query, r.httpVer = a.q.method, a.q.host, a.q.path, a.q.query, a.q.proto
	r.proto = albScheme(f[albType])
	if f[albType] == nil { // Classic: the request URL's scheme
		r.proto = a.q.scheme
	}
	r.ua = dash(f[albUserAgent])
	r.edge = dash(f[albELB])
	r.reqID = dash(f[albTraceID])
}

func albTypes(t []byte) bool {
	switch string(t) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

// albScheme is the protocol of a connection type, as CloudFront names them
// (http, https, ws, wss): h2 and grpcs run over TLS.
func albScheme(t []byte) []byte {
	switch string(t) {
	case "h2", "grpcs":
		return []byte("https")
	}
	return t
}

func (a *alb) unq(b []byte) []byte {
	for _, ch := range b {
		if ch == '\\' {
			n := len(a.scratch)
			a.scratch = unquote(a.scratch, b)
			return a.scratch[n:len(a.scratch):len(a.scratch)]
		}
	}
	return b
}
