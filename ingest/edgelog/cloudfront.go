package edgelog

import (
	"bytes"
	"strconv"
)

// CloudFront field names edgelog reads; the others are ignored.
const (
	cfDate = iota
	cfTime
	cfEdgeLocation
	cfScBytes
	cfClientIP
	cfMethod
	cfCsHost
	cfURIStem
	cfStatus
	cfReferer
	cfUserAgent
	cfQuery
	cfResultType
	cfRequestID
	cfHostHeader
	cfProtocol
	cfCsBytes
	cfTimeTaken
	cfForwardedFor
	cfProtocolVersion
	cfCountry
	cfASN
	cfTimestamp
	cfTimestampMs
	cfKnown
)

var cfNames = map[string]int{
	"date": cfDate, "time": cfTime, "x-edge-location": cfEdgeLocation, "sc-bytes": cfScBytes,
	"c-ip": cfClientIP, "cs-method": cfMethod, "cs(host)": cfCsHost, "cs-uri-stem": cfURIStem,
	"sc-status": cfStatus, "cs(referer)": cfReferer, "cs(user-agent)": cfUserAgent,
	"cs-uri-query": cfQuery, "x-edge-result-type": cfResultType, "x-edge-request-id": cfRequestID,
	"x-host-header": cfHostHeader, "cs-protocol": cfProtocol, "cs-bytes": cfCsBytes,
	"time-taken": cfTimeTaken, "x-forwarded-for": cfForwardedFor,
	"cs-protocol-version": cfProtocolVersion, "c-country": cfCountry, "asn": cfASN,
	"timestamp": cfTimestamp, "timestamp(ms)": cfTimestampMs,
}

// legacyFields is the documented field order of standard logging (legacy),
// assumed until a "#Fields:" directive says otherwise.
var legacyFields = []string{"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method",
	"cs(Host)", "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query",
	"cs(Cookie)", "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol",
	"cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
	"x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields",
	"c-port", "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type",
	"sc-content-len", "sc-range-start", "sc-range-end"}

// cfFieldID returns the id of a CloudFront field name, or -1. The names as
// CloudFront spells them are matched by a switch (JSON lines look up every
// member); other spellings fall back to a case-insensitive lookup.
func cfFieldID(name []byte) int {
	switch string(name) {
	case "date":
		return cfDate
	case "time":
		return cfTime
	case "x-edge-location":
		return cfEdgeLocation
	case "sc-bytes":
		return cfScBytes
	case "c-ip":
		return cfClientIP
	case "cs-method":
		return cfMethod
	case "cs(Host)":
		return cfCsHost
	case "cs-uri-stem":
		return cfURIStem
	case "sc-status":
		return cfStatus
	case "cs(Referer)":
		return cfReferer
	case "cs(User-Agent)":
		return cfUserAgent
	case "cs-uri-query":
		return cfQuery
	case "x-edge-result-type":
		return cfResultType
	case "x-edge-request-id":
		return cfRequestID
	case "x-host-header":
		return cfHostHeader
	case "cs-protocol":
		return cfProtocol
	case "cs-bytes":
		return cfCsBytes
	case "time-taken":
		return cfTimeTaken
	case "x-forwarded-for":
		return cfForwardedFor
	case "cs-protocol-version":
		return cfProtocolVersion
	case "c-country":
		return cfCountry
	case "asn":
		return cfASN
	case "timestamp":
		return cfTimestamp
	case "timestamp(ms)":
		return cfTimestampMs
	}
	return cfFieldFold(name)
}

func cfFieldFold(name []byte) int {
	var low [32]byte
	if len(name) > len(low) || !hasUpper(name) {
		return -1 // the switch knew every lower-case name
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	if id, ok := cfNames[string(low[:len(name)])]; ok {
		return id
	}
	return -1
}

func hasUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// cfValues holds one record's known fields by id.
type cfValues struct {
	v   [cfKnown][]byte // nil: the record has no such field
	xff []byte          // scratch for decoding x-forwarded-for
}

func (c *cfValues) set(id int, b []byte) {
	if b == nil {
		b = []byte{} // present, if empty
	}
	c.v[id] = b
}

func (c *cfValues) reset() { c.v = [cfKnown][]byte{} }

// has says whether the record carried field id (perhaps empty).
func (c *cfValues) has(id int) bool { return c.v[id] != nil }

// toRow maps CloudFront fields (of any CloudFront format) to a row.
func (c *cfValues) toRow(r *row) string {
	if reason := c.when(r); reason != "" {
		return reason
	}
	if !parseIP(c.v[cfClientIP], &r.ip) {
		return "bad c-ip " + strconv.Quote(string(c.v[cfClientIP]))
	}
	var ok bool
	if r.status, ok = parseStatus(c.v[cfStatus]); !ok {
		return "bad sc-status " + strconv.Quote(string(c.v[cfStatus]))
	}
	if r.bytesOut, ok = parseUint(c.v[cfScBytes]); !ok {
		return "bad sc-bytes " + strconv.Quote(string(c.v[cfScBytes]))
	}
	if r.bytesIn, ok = parseUint(c.v[cfCsBytes]); !ok {
		return "bad cs-bytes " + strconv.Quote(string(c.v[cfCsBytes]))
	}
	tt, ok := parseFloat(c.v[cfTimeTaken])
	if !ok {
		return "bad time-taken " + strconv.Quote(string(c.v[cfTimeTaken]))
	}
	r.timeTaken = float32(tt)
	asn, ok := parseUint(c.v[cfASN])
	if !ok || asn > 1<<32-1 {
		return "bad asn " + strconv.Quote(string(c.v[cfASN]))
	}
	r.asn = uint32(asn)
	c.strings(r)
	return ""
}

// when sets r.ts from date and time, else timestamp(ms), else timestamp.
func (c *cfValues) when(r *row) string {
	var ok bool
	switch {
	case c.v[cfDate] != nil || c.v[cfTime] != nil:
		if r.ts, ok = parseDateTime(c.v[cfDate], c.v[cfTime]); !ok {
			return "bad date/time " + strconv.Quote(string(c.v[cfDate])+" "+string(c.v[cfTime]))
		}
	case c.v[cfTimestampMs] != nil:
		ms, ok := parseUint(c.v[cfTimestampMs])
		if !ok || ms == 0 || ms > 1<<53 {
			return "bad timestamp(ms) " + strconv.Quote(string(c.v[cfTimestampMs]))
		}
		r.ts = int64(ms)
	case c.v[cfTimestamp] != nil:
		if r.ts, ok = parseUnix(c.v[cfTimestamp]); !ok {
			if r.ts, ok = parseISO(c.v[cfTimestamp]); !ok {
				return "bad timestamp " + strconv.Quote(string(c.v[cfTimestamp]))
			}
		}
	default:
		return "no date and time"
	}
	return ""
}

func (c *cfValues) strings(r *row) {
	r.method = dash(c.v[cfMethod])
	r.host = dash(c.v[cfHostHeader])
	if len(r.host) == 0 {
		r.host = dash(c.v[cfCsHost])
	}
	r.path = dash(c.v[cfURIStem])
	r.query = dash(c.v[cfQuery])
	c.userAgent(r)
	r.referer = dash(c.v[cfReferer])
	r.edge = dash(c.v[cfEdgeLocation])
	r.cache = dash(c.v[cfResultType])
	r.proto = dash(c.v[cfProtocol])
	r.httpVer = dash(c.v[cfProtocolVersion])
	r.country = dash(c.v[cfCountry])
	r.reqID = dash(c.v[cfRequestID])
	r.xff = dash(c.v[cfForwardedFor])
	r.hasFwd = firstAddr(c.decodeXFF(r.xff), &r.fwdIP)
}

// userAgent marks cs(User-Agent) for URL-decoding (see strCol.addUA).
func (c *cfValues) userAgent(r *row) {
	r.ua = dash(c.v[cfUserAgent])
	r.uaEscaped = bytes.IndexByte(r.ua, '%') >= 0 // decoded straight into the batch
}

func (c *cfValues) decodeXFF(b []byte) []byte {
	if !hasEscape(b) {
		return b
	}
	c.xff = unescape(c.xff[:0], b)
	return c.xff
}

// firstAddr parses the first address of an X-Forwarded-For list.
func firstAddr(list []byte, out *[16]byte) bool {
	if i := bytes.IndexByte(list, ','); i >= 0 {
		list = list[:i]
	}
	return parseIP(bytes.TrimSpace(list), out)
}

// cloudFront parses the W3C tab-separated standard logs.
type cloudFront struct {
	vals   cfValues
	pos    []int8 // field position → known id, or -1
	last   int    // position of the last needed field
	header string // why lines cannot be read under this header, or ""
	count  struct {
		n, of  int    // fields in the line, fields in the header
		reason string // the last field-count reason: junk lines repeat it
	}
}

// Fields a line must carry when its header declares them.
var cfNeeded = []int{cfDate, cfTime, cfClientIP, cfMethod, cfURIStem, cfStatus}

func newCloudFront() *cloudFront {
	c := &cloudFront{}
	names := make([][]byte, len(legacyFields))
	for i, f := range legacyFields {
		names[i] = []byte(f)
	}
	c.setFields(names)
	return c
}

func (c *cloudFront) setFields(names [][]byte) {
	c.pos = c.pos[:0]
	c.last = -1
	seen := [cfKnown]bool{}
	for i, n := range names {
		id := cfFieldID(n)
		if id >= 0 && seen[id] {
			id = -1 // the first of duplicate names wins
		}
		c.pos = append(c.pos, int8(id))
		if id >= 0 {
			seen[id] = true
		}
		for _, need := range cfNeeded {
			if id == need {
				c.last = i
			}
		}
	}
	c.header = ""
	switch {
	case !seen[cfClientIP]:
		c.header = "#Fields header has no c-ip"
	case !seen[cfDate] && !seen[cfTimestamp] && !seen[cfTimestampMs]:
		c.header = "#Fields header has no date"
	case seen[cfDate] != seen[cfTime]:
		c.header = "#Fields header has date or time but not both"
	}
}

var fieldsDirective = []byte("#Fields:")

func (c *cloudFront) parse(line []byte, r *row) (string, bool) {
	if len(line) == 0 || line[0] == '#' {
		if bytes.HasPrefix(line, fieldsDirective) {
			c.setFields(bytes.Fields(line[len(fieldsDirective):]))
		}
		return "", true
	}
	if blank(line) {
		return "", true
	}
	if c.header != "" {
		return c.header, false
	}
	c.vals.reset()
	n := c.split(line)
	if n > len(c.pos) || n <= c.last {
		return c.countReason(n), false
	}
	return c.vals.toRow(r), false
}

// countReason says a line has n fields, a count the header does not
// allow; it is built once per count and header, not once per line.
func (c *cloudFront) countReason(n int) string {
	if c.count.reason != "" && c.count.n == n && c.count.of == len(c.pos) {
		return c.count.reason
	}
	reason := "line has " + strconv.Itoa(n) + " fields, #Fields header declares " + strconv.Itoa(len(c.pos))
	if n <= c.last {
		reason = "line has " + strconv.Itoa(n) + " fields, too few for the #Fields header's " + strconv.Itoa(len(c.pos))
	}
	c.count.n, c.count.of, c.count.reason = n, len(c.pos), reason
	return reason
}

// cloudFrontJSON maps standard logging v2 JSON members, named as the W3C
// fields are, through the same rules as the tab-separated format.
type cloudFrontJSON struct {
	vals cfValues
}

func newCloudFrontJSON() *jsonLines { return &jsonLines{f: &cloudFrontJSON{}} }

func (c *cloudFrontJSON) begin() { c.vals.reset() }

func (c *cloudFrontJSON) member(key, val []byte, kind byte, r *row) string {
	if id := cfFieldID(key); id >= 0 {
		c.vals.set(id, val)
	}
	return ""
}

func (c *cloudFrontJSON) end(r *row) string {
	if !c.vals.has(cfClientIP) {
		return "no c-ip"
	}
	return c.vals.toRow(r)
}
