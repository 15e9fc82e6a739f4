package edgelog

// cloudflare maps Cloudflare Logpush http_requests fields.
type cloudflare struct {
	hasTS, hasIP     bool
	endMs            int64 // EdgeEndTimestamp, unix ms
	ttfb, origin     float64
	hasTTFB, hasOrig bool
	country          []byte
}

func newCloudflare() *jsonLines { return &jsonLines{f: &cloudflare{}} }

func (c *cloudflare) begin() {
	c.hasTS, c.hasIP, c.endMs, c.hasTTFB, c.hasOrig = false, false, 0, false, false
}

func (c *cloudflare) member(key, val []byte, kind byte, r *row) string {
	var ok bool
	switch string(key) {
	case "EdgeStartTimestamp":
		if r.ts, ok = jsonTime(val); !ok {
			return bad(string(key), val)
		}
		c.hasTS = true
	case "EdgeEndTimestamp":
		if c.endMs, ok = jsonTime(val); !ok {
			return bad(string(key), val)
		}
	case "ClientIP":
		if !parseIP(val, &r.ip) {
			return bad(string(key), val)
		}
		c.hasIP = true
	case "EdgeResponseStatus":
		if r.status, ok = parseStatus(val); !ok {
			return bad(string(key), val)
		}
	case "ClientRequestBytes":
		if r.bytesIn, ok = jsonUint(val); !ok {
			return bad(string(key), val)
		}
	case "EdgeResponseBytes":
		if r.bytesOut, ok = jsonUint(val); !ok {
			return bad(string(key), val)
		}
	case "ClientASN":
		v, ok := jsonUint(val)
		if !ok || v > 1<<32-1 {
			return bad(string(key), val)
		}
		r.asn = uint32(v)
	default:
		return c.other(key, val, r)
	}
	return ""
}

func (c *cloudflare) other(key, val []byte, r *row) string {
	switch string(key) {
	case "ClientRequestHost":
		r.host = val
	case "ClientRequestMethod":
		r.method = val
	case "ClientRequestURI":
		r.path, r.query = splitURI(val)
	case "ClientRequestPath":
		if len(r.path) == 0 {
			r.path = val
		}
	case "ClientRequestQuery":
		if len(r.query) == 0 {
			r.query = trimQ(val)
		}
	case "ClientRequestProtocol":
		r.httpVer = val
	case "ClientRequestScheme":
		r.proto = val
	case "ClientRequestUserAgent":
		r.ua = val
	case "ClientRequestReferer":
		r.referer = val
	case "CacheCacheStatus":
		r.cache = val
	case "EdgeColoCode":
		r.edge = val
	case "ClientCountry":
		c.country = upper(c.country[:0], val)
		r.country = c.country
	case "RayID":
		r.reqID = val
	default:
		return c.durations(key, val)
	}
	return ""
}

func (c *cloudflare) durations(key, val []byte) string {
	var ok bool
	switch string(key) {
	case "EdgeTimeToFirstByteMs":
		c.ttfb, ok = parseFloat(val)
		c.hasTTFB = true
	case "OriginResponseDurationMs":
		c.origin, ok = parseFloat(val)
		c.hasOrig = true
	case "OriginResponseTime": // nanoseconds, deprecated
		ok = true
		if !c.hasOrig {
			c.origin, ok = parseFloat(val)
			c.origin /= 1e6
			c.hasOrig = true
		}
	default:
		return ""
	}
	if !ok {
		return bad(string(key), val)
	}
	return ""
}

func (c *cloudflare) end(r *row) string {
	switch {
	case !c.hasTS:
		return "no EdgeStartTimestamp"
	case !c.hasIP:
		return "no ClientIP"
	case c.endMs >= r.ts && c.endMs > 0:
		r.timeTaken = float32(c.endMs-r.ts) / 1000
	case c.hasTTFB:
		r.timeTaken = float32(c.ttfb / 1000)
	case c.hasOrig:
		r.timeTaken = float32(c.origin / 1000)
	}
	return ""
}

// trimQ drops a leading "?" from a query.
func trimQ(b []byte) []byte {
	if len(b) > 0 && b[0] == '?' {
		return b[1:]
	}
	return b
}
