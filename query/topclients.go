package query

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// A `top … by ip` over a long window is answered from the hourly top-client
// summaries (sql/schema/020) when they can prove the answer:
//  1. top_clients_summary: the candidates are the clients listed in the
//     window's hours; each hour also gives its cutoff, the most any unlisted
//     client sent in it, and each listed client's excess over it;
//  2. top_clients_counts: top_by_ip's answer for the likely candidates
//     (split) alone, from their rows (p_ip projection), with their requests
//     per hour;
//  3. top_clients_hour_rows: the rows that arrived meanwhile, per hour;
//  4. the certificate: no client left out can have more than the bound, the
//     sum over hours of min(its cutoff and excess, the hour's matching rows
//     the counted clients did not send), plus the arrivals; the answer
//     stands if the N-th count is above it.
// A refused certificate counts every candidate, then widens the lists read
// (keep), then gives up: the caller scans (top_by_ip). An uncertified answer
// is never returned.

// keepTries are how many clients of each stored list (at most 256, 020) each
// try reads: few candidates first, as most answers need no more.
var keepTries = []int{32, 256}

// maxCandidates caps the candidates of one try: past it, the scan is cheaper.
const maxCandidates = 50_000

// Certificate says how a top-clients answer was proven, or why it was not.
type Certificate struct {
	Certified  bool   // the answer is exactly the scan's (same rows, same order)
	Tries      int    // summary reads made (1: held on the first try)
	Candidates int    // clients counted exactly in the last try
	Bound      uint64 // the most any other client could have sent
	Last       uint64 // the N-th exact count (0 when fewer than N clients)
	Reason     string // why not, when not certified
	RowsRead   uint64 // by every step of every try
}

// certifiable says whether top_by_ip's params can be answered from the
// summaries: counted by requests and not restricted to slow requests (the
// summaries count requests of every latency; a slow filter would leave the
// bound far above the counts).
func certifiable(params opsbot.Params) bool {
	return params["by"] == "requests" && (params["min_seconds"] == "" || params["min_seconds"] == "0")
}

// TopClients answers top_by_ip's params (since, until, status_min,
// status_max, path, host, ip_from, ip_to, limit; by=requests) from the
// hourly summaries, with the same columns, rows and order as top_by_ip.
// When the summaries cannot prove the answer it returns a nil Result and a
// Certificate saying why: the caller runs top_by_ip (TopClientsOrScan does).
func (e *Engine) TopClients(ctx context.Context, params opsbot.Params) (*opsbot.Result, Certificate, error) {
	c := Certificate{Reason: "counted by bytes or slow requests"}
	if !certifiable(params) {
		return nil, c, nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	start := time.Now()
	var read uint64
	for i, keep := range keepTries {
		c = Certificate{Tries: i + 1, RowsRead: read}
		top, err := e.certify(ctx, params, keep, &c)
		read = c.RowsRead
		if err != nil || !c.Certified {
			if err != nil || c.Reason == reasonUncovered || c.Reason == reasonTooMany {
				return nil, c, err
			}
			continue
		}
		top.Stats.RowsRead, top.Stats.Elapsed = c.RowsRead, time.Since(start)
		return top, c, nil
	}
	return nil, c, nil
}

// TopClientsOrScan is TopClients with the scan (top_by_ip) as the fallback:
// always the exact answer, and the certificate saying which way it came.
func (e *Engine) TopClientsOrScan(ctx context.Context, params opsbot.Params, now time.Time) (*opsbot.Result, Certificate, error) {
	res, c, err := e.TopClients(ctx, params)
	if err != nil || res != nil {
		return res, c, err
	}
	res, _, err = e.Run(ctx, "top_by_ip", params, now)
	return res, c, err
}

// TopClientsBetween is the clients with the most requests of status
// statusMin..statusMax in [since, until), the heaviest first (ties by
// address), exact: proven from the hourly summaries or scanned. Its columns
// are top_by_ip's: ip, requests, bytes, top_status, top_method, top_path.
// It is what the daily report lists (daily_clients), in a fraction of the
// scan's time on a busy day; reports can declare it as an interface.
func (e *Engine) TopClientsBetween(ctx context.Context, since, until time.Time, statusMin, statusMax, limit int) (*opsbot.Result, error) {
	p := topClientsParams(since, until, statusMin, statusMax, min(limit, e.opts.MaxRows))
	res, c, err := e.TopClientsOrScan(ctx, p, until)
	if err != nil {
		return nil, fmt.Errorf("top clients: %w", err)
	}
	slog.Debug("query: top clients", "since", since, "until", until, "proven", c.Certified, "tries", c.Tries, "reason", c.Reason)
	return res, nil
}

// topClientsParams are top_by_ip's params for the clients with the most
// requests of status statusMin..statusMax in [since, until), no other filter.
func topClientsParams(since, until time.Time, statusMin, statusMax, limit int) opsbot.Params {
	p := base(Window{Since: since, Until: until})
	for k, v := range map[string]string{
		"status_min": strconv.Itoa(statusMin), "status_max": strconv.Itoa(statusMax), "min_seconds": "0",
		"path": "", "host": "", "ip_from": "::", "ip_to": "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"by": "requests", "limit": strconv.Itoa(limit),
	} {
		p[k] = v
	}
	return p
}

const (
	reasonUncovered = "an hour of the window has rows its summaries do not hold"
	reasonTooMany   = "too many candidates"
	reasonBound     = "the N-th count is not above what an unlisted client could have"
)

// certify runs the steps for one keep and returns the answer when the
// certificate holds. It counts the likely candidates first (split), and
// all of them when the ones left out spoil the bound.
func (e *Engine) certify(ctx context.Context, params opsbot.Params, keep int, c *Certificate) (*opsbot.Result, error) {
	hours, cands, err := e.summary(ctx, params, keep, c)
	if err != nil {
		return nil, err
	}
	limit := int(warehouse.Uint64(params["limit"]))
	count, dropped := split(hours, cands, limit)
	for {
		top, err := e.check(ctx, params, hours, count, dropped, limit, c)
		if err != nil || c.Certified || len(dropped) == 0 || c.Reason != reasonBound {
			return top, err
		}
		count, dropped = cands, nil
	}
}

// check counts the candidates and certifies the answer.
func (e *Engine) check(ctx context.Context, params opsbot.Params, hours []hourSum, count, dropped []string, limit int, c *Certificate) (*opsbot.Result, error) {
	c.Candidates, c.Certified, c.Reason = len(count), false, ""
	if len(count) > maxCandidates {
		c.Reason = reasonTooMany
		return nil, nil
	}
	counts, err := e.candidateCounts(ctx, params, count, c)
	if err != nil {
		return nil, err
	}
	if hours, err = e.arrivals(ctx, params, hours, c); err != nil {
		return nil, err
	}
	b, ok := bound(hours, counts.byHour, residualKnown(params), dropped)
	if !ok {
		c.Reason = reasonUncovered
		return nil, nil
	}
	c.Bound = b
	if rows := counts.res.Rows; len(rows) >= limit {
		c.Last = warehouse.Uint64(rows[limit-1][counts.res.Col("requests")])
		c.Certified = c.Last > b
	} else {
		c.Certified = b == 0
	}
	if !c.Certified {
		c.Reason = reasonBound
		return nil, nil
	}
	return counts.res, nil
}

// residualKnown: the summary's matching counts are the asked rows of whole
// hours only when no IP range narrows them (the rollup has no client).
func residualKnown(params opsbot.Params) bool {
	return (params["ip_from"] == "" || params["ip_from"] == "::") &&
		(params["ip_to"] == "" || params["ip_to"] == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
}

// ipArray renders IPs as an {x:Array(IPv6)} parameter.
func ipArray(ips []string) string {
	quoted := make([]string, len(ips))
	for i, ip := range ips {
		quoted[i] = "'" + strings.ReplaceAll(ip, "'", "") + "'"
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// pick copies the named params.
func pick(params opsbot.Params, names ...string) opsbot.Params {
	out := opsbot.Params{}
	for _, n := range names {
		if v, ok := params[n]; ok {
			out[n] = v
		}
	}
	return out
}

var filterParams = []string{"since", "until", "status_min", "status_max", "path", "host"}
