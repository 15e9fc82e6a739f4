package query

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// A `top … by ip` over a long window is answered from the hourly top-client
// summaries (sql/schema/020) when they can prove the answer, in three steps:
//  1. top_clients_summary: the candidates are the clients listed in the
//     window's hours; each hour also gives its cutoff, the most any unlisted
//     client sent in it;
//  2. top_clients_counts: the candidates' exact counts, from their rows only
//     (p_ip projection);
//  3. the certificate: no unlisted client can have more than the bound, the
//     sum over hours of min(cutoff, the hour's matching rows the candidates
//     did not send); if the N-th count is above it, the N heaviest are known
//     exactly, and top_clients_rows counts their columns.
// A refused certificate widens the lists read (keep), then gives up: the
// caller scans (top_by_ip). An uncertified answer is never returned.

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
		res, err := e.clientRows(ctx, params, top)
		if res != nil {
			c.RowsRead += res.Stats.RowsRead
			res.Stats.RowsRead, res.Stats.Elapsed = c.RowsRead, time.Since(start)
		}
		return res, c, err
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

// TopClientsParams are top_by_ip's params for the clients with the most
// requests of status statusMin..statusMax in [since, until), no other
// filter: what the daily report lists (daily_clients), for TopClientsOrScan.
func TopClientsParams(since, until time.Time, statusMin, statusMax, limit int) opsbot.Params {
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

// certify runs steps 1–3 for one keep and returns the top clients' IPs when
// the certificate holds.
func (e *Engine) certify(ctx context.Context, params opsbot.Params, keep int, c *Certificate) ([]string, error) {
	hours, cands, err := e.summary(ctx, params, keep, c)
	if err != nil {
		return nil, err
	}
	c.Candidates = len(cands)
	if len(cands) > maxCandidates {
		c.Reason = reasonTooMany
		return nil, nil
	}
	counts, err := e.candidateCounts(ctx, params, cands, c)
	if err != nil {
		return nil, err
	}
	bound, ok := bound(hours, counts.byHour, residualKnown(params))
	if !ok {
		c.Reason = reasonUncovered
		return nil, nil
	}
	c.Bound = bound
	limit := int(warehouse.Uint64(params["limit"]))
	if len(counts.top) >= limit {
		c.Last = counts.top[limit-1].requests
		c.Certified = c.Last > bound
	} else {
		c.Certified = bound == 0
	}
	if !c.Certified {
		c.Reason = reasonBound
		return nil, nil
	}
	ips := make([]string, min(limit, len(counts.top)))
	for i := range ips {
		ips[i] = counts.top[i].ip
	}
	return ips, nil
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

// clientRows is step 3's answer: top_by_ip's columns for the proven clients.
func (e *Engine) clientRows(ctx context.Context, params opsbot.Params, ips []string) (*opsbot.Result, error) {
	p := pick(params, filterParams...)
	p["clients"] = ipArray(ips)
	res, _, err := e.cat.Run(ctx, e.w, "top_clients_rows", p, time.Time{}, e.limits()...)
	if err != nil {
		return nil, fmt.Errorf("top clients: %w", err)
	}
	return res, nil
}
