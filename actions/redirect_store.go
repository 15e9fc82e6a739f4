package actions

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// StateRemoved is a redirect removed with `unredirect` (beside
// StateActive and StateGone, removed at the edge by hand).
const StateRemoved = "removed"

// redirectRecord is opsbot's record of one rule at one edge.
type redirectRecord struct {
	Edge, Source, Target string
	Status               int
	ByID, ByName         string
	Reason, Approval     string
	Created              time.Time
	State                string
	Ended                time.Time
	EndedBy              string
}

// redirectStore keeps records in the redirects table (ReplacingMergeTree
// by version: the newest row of an edge's source wins; what it replaced
// stays in the audit log).
type redirectStore struct {
	w warehouse.Warehouse
	v store // for its versions
}

func (s *redirectStore) put(ctx context.Context, r redirectRecord) error {
	ended := ""
	if !r.Ended.IsZero() {
		ended = warehouse.TimeParam(r.Ended)
	}
	err := s.w.Exec(ctx, `INSERT INTO redirects (edge, source, target, status, by_id, by_name, reason, approval, created_at, state, ended_at, ended_by, version)
		SELECT {edge:String}, {source:String}, {target:String}, {status:UInt16}, {by_id:String}, {by_name:String}, {reason:String},
		       {approval:String}, {created:DateTime64(3, 'UTC')}, {state:String},
		       parseDateTime64BestEffortOrNull({ended:String}, 3, 'UTC'), {ended_by:String}, {version:UInt64}`, opsbot.Params{
		"edge": r.Edge, "source": r.Source, "target": r.Target, "status": strconv.Itoa(r.Status), "by_id": r.ByID, "by_name": r.ByName,
		"reason": r.Reason, "approval": r.Approval, "created": warehouse.TimeParam(r.Created), "state": r.State,
		"ended": ended, "ended_by": r.EndedBy, "version": strconv.FormatUint(s.v.version(), 10),
	})
	if err != nil {
		return fmt.Errorf("record redirect: %w", err)
	}
	return nil
}

// list returns every record's newest row, newest first.
func (s *redirectStore) list(ctx context.Context) ([]redirectRecord, error) {
	res, err := s.w.Query(ctx, `SELECT edge, source, target, status, by_id, by_name, reason, approval, created_at, state, ended_at, ended_by
		FROM redirects FINAL ORDER BY created_at DESC, edge, source`, nil)
	if err != nil {
		return nil, fmt.Errorf("read redirects: %w", err)
	}
	out := make([]redirectRecord, 0, len(res.Rows))
	for _, row := range res.Rows {
		str := func(i int) string { s, _ := row[i].(string); return s }
		tm := func(i int) time.Time { t, _ := row[i].(time.Time); return t }
		st, _ := row[3].(uint64)
		out = append(out, redirectRecord{Edge: str(0), Source: str(1), Target: str(2), Status: int(st), ByID: str(4), ByName: str(5),
			Reason: str(6), Approval: str(7), Created: tm(8), State: str(9), Ended: tm(10), EndedBy: str(11)})
	}
	return out, nil
}

// end closes the active record of source at edge, if there is one.
func (s *redirectStore) end(ctx context.Context, recs []redirectRecord, edge, source, state, by string, now time.Time) error {
	for _, r := range recs {
		if r.Edge == edge && r.Source == source && r.State == StateActive {
			r.State, r.Ended, r.EndedBy = state, now, by
			return s.put(ctx, r)
		}
	}
	return nil
}
