package query

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
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
	cutoff   uint64            // the most an unlisted client sent in the hour
	covered  bool              // the summaries hold every row of the hour
	matching uint64            // the hour's asked rows (whole hours without an IP range)
	whole    bool              // the hour lies inside the window
	excess   map[string]uint64 // per listed client: its listed counts beyond the lists' ceilings
	rows     uint64            // the hour's rows in the classes asked, when the summary was read
	arrived  uint64            // rows inserted into the hour since then (arrivals)
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
		h := hourSum{unix: int64(r.U("unix_hour")), cutoff: r.U("cutoff"), covered: r.U("covered") == 1,
			matching: r.U("matching"), rows: r.U("table_rows"), excess: map[string]uint64{}}
		start := time.Unix(h.unix, 0)
		h.whole = !start.Before(since) && !start.Add(time.Hour).After(until)
		list, _ := r.Get("clients").([]any)
		over, _ := r.Get("excess").([]any)
		for i := range min(len(list), len(over)) {
			ip := warehouse.String(list[i])
			h.excess[ip] += warehouse.Uint64(over[i])
			if !seen[ip] {
				seen[ip] = true
				cands = append(cands, ip)
			}
		}
		hours = append(hours, h)
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
	res    *opsbot.Result // top_by_ip's columns, the heaviest first
	byHour map[int64]uint64
}

func (e *Engine) candidateCounts(ctx context.Context, params opsbot.Params, cands []string, c *Certificate) (counted, error) {
	p := pick(params, append(filterParams, "limit")...)
	p["clients"] = ipArray(cands)
	res, _, err := e.cat.Run(ctx, e.w, "top_clients_counts", p, time.Time{}, e.internal()...)
	if err != nil {
		return counted{}, fmt.Errorf("top clients counts: %w", err)
	}
	c.RowsRead += res.Stats.RowsRead
	out := counted{res: answerColumns(res), byHour: map[int64]uint64{}}
	for i, r := range warehouse.RowsOf(res) {
		if i > 0 {
			break
		}
		keys, _ := r.Get("hours_all").([]any)
		vals, _ := r.Get("requests_all").([]any)
		for j := range min(len(keys), len(vals)) {
			out.byHour[int64(warehouse.Uint64(keys[j]))] = warehouse.Uint64(vals[j])
		}
	}
	return out, nil
}

// bound is the certificate's ceiling: the most requests any client not
// counted can have sent in the window, summed over hours. In an hour a
// client sent at most the summaries' cutoff plus its excess there (when they
// hold every row of the hour), and at most the hour's asked rows the counted
// clients did not send (when those are known), each plus the rows that
// arrived since; ok is false when an hour has neither. Unlisted clients have no excess; each listed client left out of
// the count (dropped) is bounded with its own.
func bound(hours []hourSum, byHour map[int64]uint64, residual bool, dropped []string) (uint64, bool) {
	b, ok := hoursBound(hours, byHour, residual, "")
	for _, c := range dropped {
		d, dok := hoursBound(hours, byHour, residual, c)
		b, ok = max(b, d), ok && dok
	}
	return b, ok
}

// arrivals adds to hours the rows inserted since the summary was read: the
// counts saw them, and any of them may be an unlisted client's. An hour
// that had no rows then is bounded by its arrivals alone.
func (e *Engine) arrivals(ctx context.Context, params opsbot.Params, hours []hourSum, c *Certificate) ([]hourSum, error) {
	res, _, err := e.cat.Run(ctx, e.w, "top_clients_hour_rows", pick(params, "since", "until", "status_min", "status_max"), time.Time{}, e.internal()...)
	if err != nil {
		return nil, fmt.Errorf("top clients rows: %w", err)
	}
	c.RowsRead += res.Stats.RowsRead
	out := slices.Clone(hours)
	at := map[int64]int{}
	for i, h := range out {
		at[h.unix] = i
	}
	for _, r := range warehouse.RowsOf(res) {
		unix, n := int64(r.U("unix_hour")), r.U("table_rows")
		i, ok := at[unix]
		if !ok {
			out = append(out, hourSum{unix: unix, covered: true, arrived: n})
			continue
		}
		if n > out[i].rows {
			out[i].arrived = n - out[i].rows
		}
	}
	return out, nil
}

// hoursBound bounds one client (client "" is any unlisted one).
func hoursBound(hours []hourSum, byHour map[int64]uint64, residual bool, client string) (b uint64, ok bool) {
	for _, h := range hours {
		ceil, known := h.cutoff+h.excess[client]+h.arrived, h.covered
		if residual && h.whole && h.matching+h.arrived >= byHour[h.unix] {
			rest := h.matching + h.arrived - byHour[h.unix]
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

// split picks the candidates worth counting: every one whose most possible
// requests (the window's cutoffs plus its excess) reach the N-th largest
// excess, a floor under the N-th count. The others (dropped) are bounded
// by their own ceilings, below that floor, so they rarely spoil the
// certificate, and counting them would read granules of light clients
// scattered over the whole client range.
func split(hours []hourSum, cands []string, limit int) (counted, dropped []string) {
	var cut uint64
	excess := map[string]uint64{}
	for _, h := range hours {
		if !h.covered {
			return cands, nil
		}
		cut += h.cutoff
		for c, x := range h.excess {
			excess[c] += x
		}
	}
	all := slices.SortedFunc(maps.Values(excess), func(a, b uint64) int { return cmp.Compare(b, a) })
	if len(all) < limit {
		return cands, nil
	}
	floor := all[limit-1]
	for _, c := range cands {
		if cut+excess[c] >= floor {
			counted = append(counted, c)
		} else {
			dropped = append(dropped, c)
		}
	}
	return counted, dropped
}

// answerColumns keeps the columns of top_by_ip's answer (those before
// client_ip).
func answerColumns(res *opsbot.Result) *opsbot.Result {
	n := res.Col("client_ip")
	if n < 0 {
		return res
	}
	out := &opsbot.Result{Columns: res.Columns[:n], Stats: res.Stats}
	for _, row := range res.Rows {
		out.Rows = append(out.Rows, row[:n])
	}
	return out
}
