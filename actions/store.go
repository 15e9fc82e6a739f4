package actions

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Ban states in the bans table.
const (
	StateActive   = "active"
	StateUnbanned = "unbanned" // lifted with `unban`
	StateExpired  = "expired"  // lifted by the expiry job
	StateGone     = "gone"     // removed at the edge by hand
)

// record is opsbot's record of one ban at one edge.
type record struct {
	Edge, Prefix     string
	ByID, ByName     string
	Reason, Approval string
	Created, Expires time.Time
	State            string
	Ended            time.Time // zero while active
	EndedBy          string
}

// store keeps records in the bans table (ReplacingMergeTree by version).
type store struct {
	w warehouse.Warehouse

	mu   sync.Mutex
	last uint64
}

func (s *store) version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = max(s.last+1, uint64(time.Now().UnixNano()))
	return s.last
}

func (s *store) put(ctx context.Context, r record) error {
	ended := ""
	if !r.Ended.IsZero() {
		ended = warehouse.TimeParam(r.Ended)
	}
	err := s.w.Exec(ctx, `INSERT INTO bans (edge, prefix, by_id, by_name, reason, approval, created_at, expires_at, state, ended_at, ended_by, version)
		SELECT {edge:String}, {prefix:String}, {by_id:String}, {by_name:String}, {reason:String}, {approval:String},
		       {created:DateTime64(3, 'UTC')}, {expires:DateTime64(3, 'UTC')}, {state:String},
		       parseDateTime64BestEffortOrNull({ended:String}, 3, 'UTC'), {ended_by:String}, {version:UInt64}`, opsbot.Params{
		"edge": r.Edge, "prefix": r.Prefix, "by_id": r.ByID, "by_name": r.ByName, "reason": r.Reason,
		"approval": r.Approval, "created": warehouse.TimeParam(r.Created), "expires": warehouse.TimeParam(r.Expires),
		"state": r.State, "ended": ended, "ended_by": r.EndedBy, "version": strconv.FormatUint(s.version(), 10),
	})
	if err != nil {
		return fmt.Errorf("record ban: %w", err)
	}
	return nil
}

const recordCols = `edge, prefix, by_id, by_name, reason, approval, created_at, expires_at, state, ended_at, ended_by`

// list returns records that are active or ended after since.
func (s *store) list(ctx context.Context, since time.Time) ([]record, error) {
	res, err := s.w.Query(ctx, `SELECT `+recordCols+` FROM bans FINAL
		WHERE state = 'active' OR ended_at >= {since:DateTime64(3, 'UTC')}
		ORDER BY created_at DESC, edge`, opsbot.Params{"since": warehouse.TimeParam(since)})
	if err != nil {
		return nil, fmt.Errorf("read bans: %w", err)
	}
	out := make([]record, 0, len(res.Rows))
	for _, row := range res.Rows {
		out = append(out, toRecord(row))
	}
	return out, nil
}

// due returns active records whose expiry is at or before now.
func (s *store) due(ctx context.Context, now time.Time) ([]record, error) {
	res, err := s.w.Query(ctx, `SELECT `+recordCols+` FROM bans FINAL
		WHERE state = 'active' AND expires_at <= {now:DateTime64(3, 'UTC')} ORDER BY expires_at`,
		opsbot.Params{"now": warehouse.TimeParam(now)})
	if err != nil {
		return nil, fmt.Errorf("read due bans: %w", err)
	}
	out := make([]record, 0, len(res.Rows))
	for _, row := range res.Rows {
		out = append(out, toRecord(row))
	}
	return out, nil
}

func toRecord(row []any) record {
	str := func(i int) string { s, _ := row[i].(string); return s }
	tm := func(i int) time.Time { t, _ := row[i].(time.Time); return t }
	return record{Edge: str(0), Prefix: str(1), ByID: str(2), ByName: str(3), Reason: str(4), Approval: str(5),
		Created: tm(6), Expires: tm(7), State: str(8), Ended: tm(9), EndedBy: str(10)}
}
