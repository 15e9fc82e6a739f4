package report

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Report is one day's analysis.
type Report struct {
	Day          time.Time // midnight, in the report's location
	Since, Until time.Time // UTC
	Top          int

	Totals, LastWeek Totals
	Status           []Item // Name is the status code
	Clients4xx       []Item // Extra: the client's most requested path
	Clients5xx       []Item
	Paths4xx         []Item
	Paths5xx         []Item
	Requested        []Item // GoAccess: requested files
	Static           []Item // static requests
	NotFound         []Item // not-found URLs (404)
	Visitors         []Item // visitor hosts and IPs
	OS, Browsers     []Item
	Hosts            []Item // virtual hosts
	Referrers        []Item // referring sites
	Countries        []Item // geo location (empty when logs carry none)
	Cache            []Item // cache status
	Edges            []Item // edge locations
	Slowest          []Slow
	NewClients       []Item // Extra: top path and status
	Hours            []Hour
	Series           []Point
	Ingest           Ingest
	Chart            []byte // PNG
}

// Totals are a day's headline figures.
type Totals struct {
	Requests, Visitors, BytesOut, BytesIn uint64
	S2xx, S3xx, S4xx, S5xx, S000          uint64
	CacheHits, CacheMisses, Static        uint64
	P50, P95                              float64 // seconds
}

// CacheHitRatio is hits over hits and misses (0 without either).
func (t Totals) CacheHitRatio() float64 {
	if t.CacheHits+t.CacheMisses == 0 {
		return 0
	}
	return float64(t.CacheHits) / float64(t.CacheHits+t.CacheMisses)
}

// Item is one line of a top list.
type Item struct {
	Name                      string
	Requests, Visitors, Bytes uint64
	Extra                     string
}

// Slow is one of the slowest paths.
type Slow struct {
	Path     string
	Requests uint64
	P50, P95 float64
}

// Hour is one hour of the time distribution.
type Hour struct {
	Start                             time.Time
	Requests, Visitors, Bytes, Errors uint64
}

// Point is one 5-minute bucket of the chart.
type Point struct {
	T                    time.Time
	Requests, S4xx, S5xx uint64
}

// Ingest is the ingest manifest's view of the day.
type Ingest struct {
	Manifest                        bool // false: no manifest table; figures from requests
	Objects, Failed, Rows, Rejected uint64
	MaxDelay                        time.Duration
	LastLoaded                      time.Time
	Failures                        []Failure // the day's failed objects, newest first
}

// Failure is an object the ingest could not load.
type Failure struct {
	Key      string
	Attempts uint64
	Error    string
}

func (j *Job) totals(ctx context.Context, r *Report) error {
	var err error
	if r.Totals, err = j.readTotals(ctx, r.params()); err != nil {
		return err
	}
	lw := *r
	lw.Since, lw.Until = r.Day.AddDate(0, 0, -7).UTC(), r.Day.AddDate(0, 0, -6).UTC()
	r.LastWeek, err = j.readTotals(ctx, lw.params())
	return err
}

func (j *Job) readTotals(ctx context.Context, p map[string]string) (Totals, error) {
	res, err := j.run(ctx, "daily_totals", p)
	if err != nil || len(res.Rows) == 0 {
		return Totals{}, err
	}
	x := warehouse.RowsOf(res)[0]
	return Totals{
		Requests: x.U("requests"), Visitors: x.U("visitors"), BytesOut: x.U("bytes_out"), BytesIn: x.U("bytes_in"),
		S2xx: x.U("s2xx"), S3xx: x.U("s3xx"), S4xx: x.U("s4xx"), S5xx: x.U("s5xx"), S000: x.U("s000"),
		CacheHits: x.U("cache_hits"), CacheMisses: x.U("cache_misses"), Static: x.U("static"),
		P50: x.F("p50_seconds"), P95: x.F("p95_seconds"),
	}, nil
}

func (j *Job) status(ctx context.Context, r *Report) error {
	return j.items(ctx, "daily_status", r.params(), &r.Status, "status", "")
}

func (j *Job) tops(ctx context.Context, r *Report) error {
	n := strconv.Itoa(r.Top)
	for _, t := range []struct {
		query, lo, hi string
		into          *[]Item
		name, extra   string
	}{
		{"daily_clients", "400", "499", &r.Clients4xx, "ip", "top_path"},
		{"daily_clients", "500", "599", &r.Clients5xx, "ip", "top_path"},
		{"daily_clients", "0", "999", &r.Visitors, "ip", "top_path"},
		{"daily_paths", "400", "499", &r.Paths4xx, "path", ""},
		{"daily_paths", "500", "599", &r.Paths5xx, "path", ""},
		{"daily_paths", "404", "404", &r.NotFound, "path", ""},
		{"daily_paths", "0", "999", &r.Requested, "path", ""},
	} {
		p := r.params("status_min", t.lo, "status_max", t.hi, "limit", n)
		if t.query == "daily_paths" {
			p["static"] = "0" // daily_paths alone takes it: static files are listed apart
		}
		var err error
		if t.query == "daily_clients" && j.o.TopClients != nil {
			err = j.clients(ctx, r, t.lo, t.hi, t.into)
		} else {
			err = j.items(ctx, t.query, p, t.into, t.name, t.extra)
		}
		if err != nil {
			return err
		}
	}
	p := r.params("status_min", "0", "status_max", "999", "limit", n, "static", "1")
	return j.items(ctx, "daily_paths", p, &r.Static, "path", "")
}

func (j *Job) panels(ctx context.Context, r *Report) error {
	n := strconv.Itoa(r.Top)
	for _, t := range []struct {
		query, k, v string
		into        *[]Item
	}{
		{"daily_agents", "what", "os", &r.OS},
		{"daily_agents", "what", "browser", &r.Browsers},
		{"daily_breakdown", "by", "host", &r.Hosts},
		{"daily_breakdown", "by", "referrer", &r.Referrers},
		{"daily_breakdown", "by", "country", &r.Countries},
		{"daily_breakdown", "by", "cache", &r.Cache},
		{"daily_breakdown", "by", "edge", &r.Edges},
	} {
		if err := j.items(ctx, t.query, r.params(t.k, t.v, "limit", n), t.into, "name", ""); err != nil {
			return err
		}
	}
	return nil
}

func (j *Job) items(ctx context.Context, query string, p map[string]string, into *[]Item, name, extra string) error {
	res, err := j.run(ctx, query, p)
	if err != nil {
		return err
	}
	fill(res, into, name, extra)
	return nil
}

// fill sets into to res's rows, each named by its column name.
func fill(res *opsbot.Result, into *[]Item, name, extra string) {
	*into = nil
	for _, x := range warehouse.RowsOf(res) {
		it := Item{Name: x.S(name), Requests: x.U("requests"), Visitors: x.U("visitors"), Bytes: x.U("bytes")}
		if extra != "" {
			it.Extra = x.S(extra)
		}
		*into = append(*into, it)
	}
}

// clients fills into with the top clients of status lo..hi from
// TopClients.
func (j *Job) clients(ctx context.Context, r *Report, lo, hi string, into *[]Item) error {
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("top clients: %w", err)
	}
	res, err := j.o.TopClients.TopClientsBetween(ctx, r.Since, r.Until, from, to, r.Top)
	if err != nil {
		return err
	}
	fill(res, into, "ip", "top_path")
	return nil
}

func (j *Job) slowest(ctx context.Context, r *Report) error {
	res, err := j.run(ctx, "daily_slowest", r.params("min_requests", "20", "limit", strconv.Itoa(r.Top)))
	if err != nil {
		return err
	}
	for _, x := range warehouse.RowsOf(res) {
		r.Slowest = append(r.Slowest, Slow{Path: x.S("path"), Requests: x.U("requests"), P50: x.F("p50_seconds"), P95: x.F("p95_seconds")})
	}
	return nil
}

func (j *Job) newClients(ctx context.Context, r *Report) error {
	res, err := j.run(ctx, "daily_new_clients", r.params(
		"baseline_since", warehouse.TimeParam(r.Day.AddDate(0, 0, -7)), "limit", strconv.Itoa(r.Top*2), "baseline_limit", strconv.Itoa(r.Top*2)))
	if err != nil {
		return err
	}
	for _, x := range warehouse.RowsOf(res) {
		r.NewClients = append(r.NewClients, Item{Name: x.S("ip"), Requests: x.U("requests"),
			Extra: fmt.Sprintf("%s (%s)", x.S("top_path"), text.Status("status", x.S("top_status")))})
	}
	return nil
}

func (j *Job) hours(ctx context.Context, r *Report) error {
	res, err := j.run(ctx, "daily_hours", r.params())
	if err != nil {
		return err
	}
	for _, x := range warehouse.RowsOf(res) {
		h := Hour{Start: warehouse.Time(x.Get("hour")), Requests: x.U("requests"), Bytes: x.U("bytes"), Errors: x.U("errors")}
		if h.Visitors, err = j.hourVisitors(ctx, r, h.Start); err != nil {
			return err
		}
		r.Hours = append(r.Hours, h)
	}
	return nil
}

// hourVisitors counts the distinct clients of the hour from start (within
// the day): one hour at a time, so the engine holds one hour's clients.
func (j *Job) hourVisitors(ctx context.Context, r *Report, start time.Time) (uint64, error) {
	w := *r
	w.Since, w.Until = maxTime(start, r.Since), minTime(start.Add(time.Hour), r.Until)
	res, err := j.run(ctx, "daily_visitor_count", w.params())
	if err != nil || len(res.Rows) == 0 {
		return 0, err
	}
	return warehouse.RowsOf(res)[0].U("visitors"), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (j *Job) series(ctx context.Context, r *Report) error {
	res, err := j.run(ctx, "daily_series", r.params())
	if err != nil {
		return err
	}
	for _, x := range warehouse.RowsOf(res) {
		r.Series = append(r.Series, Point{T: warehouse.Time(x.Get("bucket")), Requests: x.U("requests"), S4xx: x.U("s4xx"), S5xx: x.U("s5xx")})
	}
	return nil
}

// ingest reads the manifest when there is one; without it the report says
// so and counts the objects the rows came from.
func (j *Job) ingest(ctx context.Context, r *Report) error {
	res, err := j.run(ctx, "daily_ingest", r.params())
	if errors.Is(err, sql.ErrNoTable) {
		r.Ingest = Ingest{}
		return nil
	}
	if err != nil || len(res.Rows) == 0 {
		return err
	}
	x := warehouse.RowsOf(res)[0]
	r.Ingest = Ingest{Manifest: true, Objects: x.U("objects"), Failed: x.U("failed"), Rows: x.U("rows"),
		Rejected: x.U("rejected"), MaxDelay: time.Duration(x.F("max_delay_seconds")) * time.Second,
		LastLoaded: warehouse.Time(x.Get("last_loaded"))}
	if r.Ingest.Failed == 0 {
		return nil
	}
	res, err = j.run(ctx, "daily_ingest_failures", r.params("limit", strconv.Itoa(r.Top)))
	if err != nil {
		return err
	}
	for _, f := range warehouse.RowsOf(res) {
		r.Ingest.Failures = append(r.Ingest.Failures, Failure{Key: f.S("key"), Attempts: f.U("attempts"), Error: f.S("error")})
	}
	return nil
}
