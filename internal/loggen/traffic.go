package loggen

import (
	"encoding/base64"
	"fmt"
	"math"
	"time"
)

// noisy is a client hammering bad paths.
type noisy struct {
	ip     string
	method string
	path   string
	status int
	weight float64
}

// NoisyClients are the clients that hammer bad paths, heaviest first; tests
// use them to check that the top-4xx answer finds them.
var NoisyClients = []noisy{
	{"104.2.1.1", "GET", "/blargh", 404, 0.030},
	{"207.1.2.3", "POST", "/foo", 400, 0.022},
	{"2001:db8:bad::17", "GET", "/wp-login.php", 404, 0.012},
	{"105.2.1.1", "GET", "/.env", 403, 0.008},
	{"201.1.2.3", "POST", "/xmlrpc.php", 405, 0.005},
}

type page struct {
	host, path string
	bytes      int64
	weight     float64
	slow       float64 // typical seconds
	cacheable  bool
}

var pages = []page{
	{"www.example.org", "/", 48_000, 18, 0.020, true},
	{"www.example.org", "/events", 62_000, 8, 0.045, true},
	{"www.example.org", "/donate", 35_000, 6, 0.180, false},
	{"www.example.org", "/about", 21_000, 3, 0.020, true},
	{"www.example.org", "/static/app.js", 310_000, 14, 0.008, true},
	{"www.example.org", "/static/site.css", 42_000, 12, 0.006, true},
	{"www.example.org", "/images/hero.jpg", 520_000, 9, 0.012, true},
	{"api.example.org", "/api/v1/events", 8_400, 10, 0.120, false},
	{"api.example.org", "/api/v1/search", 12_000, 5, 0.650, false},
	{"api.example.org", "/api/v1/donations", 1_200, 2, 0.300, false},
	{"www.example.org", "/favicon.ico", 1_100, 6, 0.004, true},
	{"www.example.org", "/robots.txt", 120, 1, 0.004, true},
}

// Bursts are the 5xx incidents in the generated day, as offsets from Start.
var Bursts = []struct {
	From, To time.Duration
	Host     string
	Status   int
}{
	{10*time.Hour + 5*time.Minute, 10*time.Hour + 17*time.Minute, "api.example.org", 502},
	{15*time.Hour + 30*time.Minute, 15*time.Hour + 36*time.Minute, "www.example.org", 503},
}

var (
	edges = []string{"IAD89-C1", "FRA56-P2", "LHR61-C2", "NRT57-C1", "SFO5-C3", "GRU1-C1", "SIN2-P1"}
	uas   = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0",
	}
	referers = []string{"", "", "", "https://www.example.org/", "https://www.google.com/", "https://t.co/abc123", "https://www.example.org/events?page=2"}
	queries  = []string{"", "", "", "", "utm_source=newsletter&utm_medium=email", "page=2", "q=climate%20march", "lang=fr"}
)

// clients draws the ordinary population: IPv4 mostly, about a tenth IPv6.
func (g *gen) clients() {
	for i := 0; i < 4000; i++ {
		g.ipv4 = append(g.ipv4, fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(180), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)))
	}
	for i := 0; i < 500; i++ {
		g.ipv6 = append(g.ipv6, fmt.Sprintf("2a02:%x:%x::%x", g.r.IntN(0xffff), g.r.IntN(0xffff), 1+g.r.IntN(0xfffe)))
	}
}

func (g *gen) line(i int, l *Line) {
	u := (float64(i) + g.r.Float64()) / float64(g.o.Lines)
	*l = Line{TS: g.at(u), Protocol: "https", HTTPVersion: "HTTP/2.0", Method: "GET"}
	l.EdgeLocation = edges[g.r.IntN(len(edges))]
	l.RequestID = g.requestID()
	if !g.noisyLine(l) {
		g.normalLine(l)
	}
	g.burst(l)
	g.finish(l)
}

// noisyLine makes l one of the noisy clients' requests, with their weight.
func (g *gen) noisyLine(l *Line) bool {
	x := g.r.Float64()
	for _, n := range NoisyClients {
		if x < n.weight {
			l.ClientIP, l.Method, l.Path, l.Status = n.ip, n.method, n.path, n.status
			l.Host, l.UserAgent = "www.example.org", "python-requests/2.32.3"
			l.BytesOut, l.TimeTaken = 550, 0.002+g.r.Float64()*0.004
			return true
		}
		x -= n.weight
	}
	return false
}

func (g *gen) normalLine(l *Line) {
	p := g.page()
	l.Host, l.Path = p.host, p.path
	l.Query = queries[g.r.IntN(len(queries))]
	l.UserAgent = uas[g.r.IntN(len(uas))]
	l.Referer = referers[g.r.IntN(len(referers))]
	if g.r.IntN(10) == 0 {
		l.ClientIP = g.ipv6[g.zipf(len(g.ipv6))]
	} else {
		l.ClientIP = g.ipv4[g.zipf(len(g.ipv4))]
	}
	if p.path == "/donate" && g.r.IntN(4) == 0 || p.path == "/api/v1/donations" {
		l.Method, l.BytesIn = "POST", 300+int64(g.r.IntN(900))
	}
	l.Status, l.BytesOut = g.status(p)
	l.TimeTaken = p.slow * math.Exp(g.r.NormFloat64()*0.6)
	l.ResultType = "Miss"
	if p.cacheable && g.r.IntN(10) < 8 {
		l.ResultType, l.TimeTaken = "Hit", l.TimeTaken/5
	}
}

func (g *gen) page() page {
	total := 0.0
	for _, p := range pages {
		total += p.weight
	}
	x := g.r.Float64() * total
	for _, p := range pages {
		if x < p.weight {
			return p
		}
		x -= p.weight
	}
	return pages[0]
}

func (g *gen) status(p page) (int, int64) {
	switch x := g.r.IntN(1000); {
	case x < 4:
		return 0, 0 // viewer went away: CloudFront logs 000
	case x < 12:
		return 500 + []int{0, 2, 3, 4}[g.r.IntN(4)], 320
	case x < 40:
		return 404, 1_200
	case x < 52:
		return 301, 180
	case x < 130:
		return 304, 0
	}
	return 200, p.bytes/2 + g.r.Int64N(p.bytes)
}

// burst turns requests to the burst's host into its 5xx during an incident.
func (g *gen) burst(l *Line) {
	off := l.TS.Sub(g.o.Start)
	for _, b := range Bursts {
		if off >= b.From && off < b.To && l.Host == b.Host && g.r.IntN(10) < 7 {
			l.Status, l.BytesOut, l.TimeTaken = b.Status, 320, 1+g.r.Float64()*9
		}
	}
}

func (g *gen) finish(l *Line) {
	if l.Status >= 500 || l.Status == 0 {
		l.ResultType = "Error"
	} else if l.Status == 301 {
		l.ResultType = "Redirect"
	} else if l.ResultType == "" {
		l.ResultType = "Miss"
	}
	if l.BytesIn == 0 {
		l.BytesIn = 180 + int64(g.r.IntN(400))
	}
	if g.r.IntN(50) == 0 {
		l.ForwardedFor = fmt.Sprintf("198.51.100.%d, 10.0.0.%d", 1+g.r.IntN(250), 1+g.r.IntN(250))
	}
	if g.r.IntN(20) == 0 {
		l.HTTPVersion = "HTTP/1.1"
	}
	l.TimeTaken = math.Round(l.TimeTaken*1000) / 1000
	if l.TimeTaken < 0.001 {
		l.TimeTaken = 0.001
	}
}

// zipf picks an index with a long tail: a few clients make much traffic.
func (g *gen) zipf(n int) int {
	return int(math.Pow(g.r.Float64(), 2) * float64(n))
}

func (g *gen) requestID() string {
	var b [42]byte
	for i := 0; i < len(b); i += 8 {
		v := g.r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return base64.URLEncoding.EncodeToString(b[:])
}
