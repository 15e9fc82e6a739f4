package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Store keeps rule states and silences.
//
// Contract: States returns the last saved state of every rule; SaveState
// replaces one. Silences returns the silences active at now (until after
// now, not ended). Unsilence ends every active silence of a rule and says
// how many it ended.
type Store interface {
	States(ctx context.Context) (map[string]State, error)
	SaveState(ctx context.Context, rule string, s State, now time.Time) error
	Silences(ctx context.Context, now time.Time) ([]Silence, error)
	AddSilence(ctx context.Context, s Silence) error
	Unsilence(ctx context.Context, rule string, by opsbot.User, now time.Time) (int, error)
}

// Silence mutes one rule's posts and pages until Until.
type Silence struct {
	Rule    string
	Created time.Time
	Until   time.Time
	By      opsbot.User
	Reason  string
}

// CHStore is the Store in ClickHouse tables alert_state and silences.
type CHStore struct {
	w   warehouse.Warehouse
	seq atomic.Uint64
}

var _ Store = (*CHStore)(nil)

// NewStore keeps state in w.
func NewStore(w warehouse.Warehouse) *CHStore { return &CHStore{w: w} }

// version orders rewrites of one row: wall-clock nanoseconds, never going
// back within this process.
func (c *CHStore) version() string {
	for {
		old := c.seq.Load()
		v := max(uint64(time.Now().UnixNano()), old+1)
		if c.seq.CompareAndSwap(old, v) {
			return strconv.FormatUint(v, 10)
		}
	}
}

// States reads the newest state of each rule.
func (c *CHStore) States(ctx context.Context) (map[string]State, error) {
	res, err := c.w.Query(ctx, "SELECT rule, argMax(data, version) FROM alert_state GROUP BY rule", nil)
	if err != nil {
		return nil, fmt.Errorf("read alert state: %w", err)
	}
	out := map[string]State{}
	for _, r := range res.Rows {
		var s State
		if err := json.Unmarshal([]byte(warehouse.String(r[1])), &s); err != nil {
			return nil, fmt.Errorf("alert state of %s: %w", warehouse.String(r[0]), err)
		}
		out[warehouse.String(r[0])] = s
	}
	return out, nil
}

// SaveState records s for rule.
func (c *CHStore) SaveState(ctx context.Context, rule string, s State, now time.Time) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	err = c.w.Exec(ctx, `INSERT INTO alert_state (rule, state, level, data, updated_at, version)
		SELECT {rule:String}, {state:String}, {level:String}, {data:String}, {at:DateTime64(3, 'UTC')}, {v:UInt64}`,
		opsbot.Params{"rule": rule, "state": s.Phase, "level": s.Level.String(), "data": string(b), "at": warehouse.TimeParam(now), "v": c.version()})
	if err != nil {
		return fmt.Errorf("save alert state of %s: %w", rule, err)
	}
	return nil
}

// Silences are those active at now.
func (c *CHStore) Silences(ctx context.Context, now time.Time) ([]Silence, error) {
	res, err := c.w.Query(ctx, `SELECT rule, created_at, until, by_id, by_name, reason FROM silences FINAL
		WHERE until > {now:DateTime64(3, 'UTC')} AND ended_at IS NULL ORDER BY rule, created_at`,
		opsbot.Params{"now": warehouse.TimeParam(now)})
	if err != nil {
		return nil, fmt.Errorf("read silences: %w", err)
	}
	var out []Silence
	for _, r := range res.Rows {
		out = append(out, Silence{Rule: warehouse.String(r[0]), Created: warehouse.Time(r[1]), Until: warehouse.Time(r[2]),
			By: opsbot.User{ID: warehouse.String(r[3]), Name: warehouse.String(r[4])}, Reason: warehouse.String(r[5])})
	}
	return out, nil
}

// AddSilence records s.
func (c *CHStore) AddSilence(ctx context.Context, s Silence) error {
	err := c.w.Exec(ctx, `INSERT INTO silences (rule, created_at, until, by_id, by_name, reason, ended_at, ended_by, version)
		SELECT {rule:String}, {created:DateTime64(3, 'UTC')}, {until:DateTime64(3, 'UTC')}, {by:String}, {name:String},
		{reason:String}, NULL, '', {v:UInt64}`,
		opsbot.Params{"rule": s.Rule, "created": warehouse.TimeParam(s.Created), "until": warehouse.TimeParam(s.Until),
			"by": s.By.ID, "name": s.By.Name, "reason": s.Reason, "v": c.version()})
	if err != nil {
		return fmt.Errorf("record silence of %s: %w", s.Rule, err)
	}
	return nil
}

// Unsilence ends the rule's active silences, recording who ended them.
func (c *CHStore) Unsilence(ctx context.Context, rule string, by opsbot.User, now time.Time) (int, error) {
	active, err := c.Silences(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range active {
		if s.Rule != rule {
			continue
		}
		err := c.w.Exec(ctx, `INSERT INTO silences (rule, created_at, until, by_id, by_name, reason, ended_at, ended_by, version)
			SELECT {rule:String}, {created:DateTime64(3, 'UTC')}, {until:DateTime64(3, 'UTC')}, {by:String}, {name:String},
			{reason:String}, {ended:DateTime64(3, 'UTC')}, {ended_by:String}, {v:UInt64}`,
			opsbot.Params{"rule": s.Rule, "created": warehouse.TimeParam(s.Created), "until": warehouse.TimeParam(s.Until),
				"by": s.By.ID, "name": s.By.Name, "reason": s.Reason, "ended": warehouse.TimeParam(now),
				"ended_by": by.ID + " " + by.Name, "v": c.version()})
		if err != nil {
			return n, fmt.Errorf("end silence of %s: %w", rule, err)
		}
		n++
	}
	return n, nil
}
