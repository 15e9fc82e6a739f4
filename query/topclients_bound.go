package query

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// paramTime is the layout of the since and until params (warehouse.TimeParam).
const paramTime = "2006-01-02 15:04:05.000"

// hourSum is one hour of top_clients_summary.
type hourSum struct {
	unix     int64
	cutoff   uint64 // the most an unlisted client sent in the hour
	covered  bool   // the summaries hold every row of the hour
	matching uint64 // the hour's asked rows (whole hours without an IP range)
	whole    bool   // the hour lies inside the window
}

// summary is step 1: the window's hours and the union of their listed
// clients (within the IP range).
func (e *Engine) summary(ctx context.Context, params opsbot.Params, keep int, c *Certificate) ([]hourSum, []string, error) {
	p := pick(params, append(filterParams, "ip_from", "ip_to")...)
	p["keep"] = strconv.Itoa(keep)
	res, _, err := e.cat.Run(ctx, e.w, "top_clients_summary", p, time.Time{}, e.internal()...)
	if err != nil {
		return nil, nil, fmt.Errorf("top clients summary: %w", err)
	}
	c.RowsRead += res.Stats.RowsRead
	since, err1 := time.Parse(paramTime, params["since"])
	until, err2 := time.Parse(paramTime, params["until"])
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("top clients: since and until must read %s", paramTime)
	}
	seen := map[string]bool{}
	var hours []hourSum
	var cands []string
	for _, r := range warehouse.RowsOf(res) {
		h := hourSum{unix: int64(r.U("unix_hour")), cutoff: r.U("cutoff"), covered: r.U("covered") == 1, matching: r.U("matching")}
		start := time.Unix(h.unix, 0)
		h.whole = !start.Before(since) && !start.Add(time.Hour).After(until)
		hours = append(hours, h)
		list, _ := r.Get("clients").([]any)
		for _, c := range list {
			if ip := warehouse.String(c); !seen[ip] {
				seen[ip] = true
				cands = append(cands, ip)
			}
		}
	}
	return hours, cands, nil
}

// internal are the limits of the steps' queries: the engine's, but room
// for every hour and candidate.
func (e *Engine) internal() []warehouse.QueryOption {
	secs := int((e.opts.Timeout + time.Second - 1) / time.Second)
	return []warehouse.QueryOption{warehouse.ReadOnly(), warehouse.Timeout(secs), warehouse.MaxRows(1_000_000)}
}

// counted is step 2: the heaviest candidates and every candidate's asked
// rows per hour.
type counted struct {
	top    []clientCount
	byHour map[int64]uint64
}

type clientCount struct {
	ip       string
	requests uint64
}

func (e *Engine) candidateCounts(ctx context.Context, params opsbot.Params, cands []string, c *Certificate) (counted, error) {
	p := pick(params, append(filterParams, "limit")...)
	p["clients"] = ipArray(cands)
	res, _, err := e.cat.Run(ctx, e.w, "top_clients_counts", p, time.Time{}, e.internal()...)
	if err != nil {
		return counted{}, fmt.Errorf("top clients counts: %w", err)
	}
	c.RowsRead += res.Stats.RowsRead
	out := counted{byHour: map[int64]uint64{}}
	for i, r := range warehouse.RowsOf(res) {
		out.top = append(out.top, clientCount{ip: r.S("client_ip"), requests: r.U("requests")})
		if i > 0 {
			continue
		}
		keys, _ := r.Get("hours_all").([]any)
		vals, _ := r.Get("requests_all").([]any)
		for j := range min(len(keys), len(vals)) {
			out.byHour[int64(warehouse.Uint64(keys[j]))] = warehouse.Uint64(vals[j])
		}
	}
	return out, nil
}

// bound is the certificate's ceiling: the most requests any client outside
// the candidates can have sent in the window, summed over hours. In an hour
// it is at most the summaries' cutoff (when they hold every row of the
// hour) and at most the hour's asked rows the candidates did not send (when
// those are known); ok is false when an hour has neither.
func bound(hours []hourSum, byHour map[int64]uint64, residual bool) (b uint64, ok bool) {
	for _, h := range hours {
		ceil, known := h.cutoff, h.covered
		if residual && h.whole && h.matching >= byHour[h.unix] {
			rest := h.matching - byHour[h.unix]
			if !known || rest < ceil {
				ceil, known = rest, true
			}
		}
		if !known {
			return 0, false
		}
		b += ceil
	}
	return b, true
}
