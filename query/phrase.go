package query

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// words splits a phrase into its original words and their lower-case forms,
// dropping an "opsbot" prefix and surrounding punctuation people type.
func words(phrase string) (orig, low []string) {
	f := strings.Fields(strings.NewReplacer("`", " ", "“", " ", "”", " ").Replace(phrase))
	for len(f) > 0 {
		l := strings.ToLower(strings.TrimRight(f[0], ":,"))
		if l != "opsbot" && l != "@opsbot" {
			break
		}
		f = f[1:]
	}
	for _, w := range f {
		orig = append(orig, w)
		low = append(low, strings.ToLower(w))
	}
	return orig, low
}

// What is what a phrase counts: a status range, slowness or bytes.
type What struct {
	Label      string // "4XX", "requests", "slow (≥1s)"
	StatusMin  int
	StatusMax  int
	MinSeconds float64
	Bytes      bool // order by bytes sent
}

var classRe = regexp.MustCompile(`^([0-5])xx$`)
var codeRe = regexp.MustCompile(`^(000|[1-5][0-9][0-9])$`)

// parseWhat reads one WHAT word; slow is the "slow" threshold in seconds.
func parseWhat(w string, slow float64) (What, bool) {
	switch w {
	case "requests", "request", "reqs", "hits", "all", "everything":
		return What{Label: "requests", StatusMax: 999}, true
	case "errors", "error", "errs":
		return What{Label: "errors", StatusMin: 400, StatusMax: 599}, true
	case "bytes", "bandwidth", "traffic":
		return What{Label: "bytes", StatusMax: 999, Bytes: true}, true
	case "slow":
		return What{Label: fmt.Sprintf("slow (≥%gs)", slow), StatusMax: 999, MinSeconds: slow}, true
	}
	if m := classRe.FindStringSubmatch(w); m != nil {
		c, _ := strconv.Atoi(m[1])
		return What{Label: m[1] + "XX", StatusMin: c * 100, StatusMax: c*100 + 99}, true
	}
	if codeRe.MatchString(w) {
		c, _ := strconv.Atoi(w)
		return What{Label: w, StatusMin: c, StatusMax: c}, true
	}
	return What{}, false
}

// Dimension is one column a top-N answer can group by.
type Dimension struct {
	Name  string // column name in the answer and in top_by_NAME.sql
	Words []string
}

// Dimensions is the fixed catalog of what "by …" may name. Each has its own
// file sql/queries/top_by_NAME.sql.
var Dimensions = []Dimension{
	{"ip", []string{"ip", "ips", "client", "clients", "client ip", "address", "addresses"}},
	{"path", []string{"path", "paths", "url", "urls", "uri", "uris", "page", "pages"}},
	{"host", []string{"host", "hosts", "domain", "domains", "site", "sites"}},
	{"method", []string{"method", "methods", "verb", "verbs"}},
	{"status", []string{"status", "statuses", "status code", "status codes", "code", "codes"}},
	{"user_agent", []string{"user agent", "user agents", "user_agent", "useragent", "useragents", "ua", "uas", "agent", "agents", "browser", "browsers"}},
	{"referer", []string{"referer", "referers", "referrer", "referrers", "ref", "refs"}},
	{"edge_location", []string{"pop", "pops", "edge", "edges", "edge location", "edge locations", "edge_location", "location", "locations"}},
	{"country", []string{"country", "countries"}},
	{"asn", []string{"asn", "asns", "as", "network", "networks"}},
}

// parseDimension reads a one- or two-word dimension at low[0:].
func parseDimension(low []string) (Dimension, int, bool) {
	for _, n := range []int{2, 1} {
		if len(low) < n {
			continue
		}
		w := strings.Join(low[:n], " ")
		for _, d := range Dimensions {
			for _, a := range d.Words {
				if a == w {
					return d, n, true
				}
			}
		}
	}
	return Dimension{}, 0, false
}

// Filter narrows a top-N answer to a path, a host, a client range or a
// status. Values are only ever bound as parameters.
type Filter struct {
	Path, Host string
	Prefix     netip.Prefix // zero: any client
	StatusMin  int
	StatusMax  int // 0 with StatusMin 0: any
	hasStatus  bool
	Labels     []string
}

var hostRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\.?$`)

// add classifies one FILTER value, optionally named by a key word (path,
// host, ip, status): a path starts with "/", then an IP or CIDR, a status
// (404, 5xx), a host name. Anything else is refused, naming the value.
func (f *Filter) add(key, orig string) error {
	low := strings.ToLower(orig)
	try := func(kind string) bool { return key == "" || filterKeys[key] == kind }
	switch {
	case try("path") && strings.HasPrefix(orig, "/"):
		f.Path = orig
	case try("ip") && validPrefix(orig):
		f.Prefix, _ = ParsePrefix(orig)
	case try("status") && statusWord(low):
		w, _ := parseWhat(low, 1)
		f.StatusMin, f.StatusMax, f.hasStatus = w.StatusMin, w.StatusMax, true
	case try("host") && hostRe.MatchString(low):
		f.Host = strings.TrimSuffix(low, ".")
	case key != "":
		return fmt.Errorf("%q is not a %s", orig, filterKeys[key])
	default:
		//lint:ignore ST1005 a sentence shown to the asker as it is
		return fmt.Errorf("I can't filter on %q: give a path (/donate), a host (www.example.org), an IP or CIDR (1.2.3.4, 10.0.0.0/8) or a status (404, 5xx)", orig)
	}
	f.Labels = append(f.Labels, orig)
	return nil
}

var filterKeys = map[string]string{
	"path": "path", "url": "path", "host": "host", "domain": "host",
	"ip": "ip", "client": "ip", "cidr": "ip", "status": "status", "code": "status",
}

func validPrefix(s string) bool { _, err := ParsePrefix(s); return err == nil }

func statusWord(w string) bool { return classRe.MatchString(w) || codeRe.MatchString(w) }

// ParsePrefix reads an IP ("1.2.3.4", "2001:db8::1") or a CIDR
// ("10.0.0.0/8") as a prefix; a single IP is a /32 or /128.
func ParsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR range such as 10.0.0.0/8%s", s, because(prefixProblem(s)))
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR range%s", s, because(prefixProblem(s)))
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// IPRange renders a prefix as the first and last IPv6 addresses of the
// range, IPv4 mapped into ::ffff:0:0/96 as the requests table stores them.
func IPRange(p netip.Prefix) (from, to string) {
	a := p.Addr()
	bits := p.Bits()
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
		bits += 96
	}
	lo := a.As16()
	hi := lo
	for i := bits; i < 128; i++ {
		hi[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom16(lo).String(), netip.AddrFrom16(hi).String()
}
