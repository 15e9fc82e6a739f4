package auditlog

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/warehouse"
)

// Skill answers `audit [WINDOW]` and `audit verify` for operators.
type Skill struct {
	log *Log
	now func() time.Time
}

var (
	_ opsbot.Skill = (*Skill)(nil)
	_ bot.Auditor  = (*Log)(nil)
)

// Skill returns the `audit` command over l; now is the clock (nil: time.Now).
func (l *Log) Skill(now func() time.Time) *Skill {
	if now == nil {
		now = time.Now
	}
	return &Skill{log: l, now: now}
}

// Commands lists `audit`.
func (s *Skill) Commands() []opsbot.Command {
	return []opsbot.Command{{
		Name: "audit", Usage: "audit [WINDOW] | audit verify", Role: opsbot.RoleOperator,
		Summary: "the audit log: every command, who, where, allowed or refused, result and approval (last 24h, newest first); " +
			"`audit verify` checks its hash chain and names the first deleted, altered or forged entry",
		Examples: []string{"audit", "audit 7d", "audit last 2h", "audit verify"},
	}}
}

// MaxRows caps the entries one answer shows.
const MaxRows = 50

var window = regexp.MustCompile(`^(?:last\s+)?(\d{1,4})\s*(m|min|h|d|w)$`)

// ParseWindow reads "24h", "7d", "last 2h", "30m", "2w" (default 24h).
func ParseWindow(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 24 * time.Hour, nil
	}
	m := window.FindStringSubmatch(s)
	if m == nil {
		return 0, opsbot.Invalidf("window %q: use a number and a unit, e.g. 30m, 24h, 7d, 2w", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"m": time.Minute, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	d := time.Duration(n) * unit
	if d <= 0 || d > 366*24*time.Hour {
		return 0, opsbot.Invalidf("window %q must be between 1m and a year", s)
	}
	return d, nil
}

// Handle answers `audit [WINDOW]`.
func (s *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	arg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(req.Text), "audit"))
	if strings.EqualFold(arg, "verify") {
		return s.verify(ctx)
	}
	d, err := ParseWindow(arg)
	if err != nil {
		return &opsbot.Reply{Text: err.Error(), Ephemeral: true}, nil
	}
	now := req.Now
	if now.IsZero() {
		now = s.now()
	}
	from := now.Add(-d)
	res, err := s.log.w.Query(ctx, `SELECT ts AS time, user_id AS user, user_name AS name, channel, text, action,
		       if(allowed, 'yes', 'no') AS allowed, result, approval, took_ms
		FROM audit_log WHERE ts >= {from:DateTime64(3, 'UTC')} AND ts <= {to:DateTime64(3, 'UTC')}
		ORDER BY ts DESC LIMIT {n:UInt32}`,
		opsbot.Params{"from": warehouse.TimeParam(from), "to": warehouse.TimeParam(now), "n": strconv.Itoa(MaxRows + 1)},
		warehouse.ReadOnly(), warehouse.Timeout(30))
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	more := len(res.Rows) > MaxRows
	if more {
		res.Rows = res.Rows[:MaxRows]
	}
	r := &opsbot.Reply{
		Title: fmt.Sprintf("Audit log, %s to %s UTC", from.UTC().Format("Jan 2 15:04"), now.UTC().Format("Jan 2 15:04")),
		Table: res, Context: fmt.Sprintf("%d entries, newest first", len(res.Rows)),
	}
	if len(res.Rows) == 0 {
		r.Table, r.Text = nil, "Nothing in the audit log in this window."
	}
	if more {
		r.Context += fmt.Sprintf(" · showing the latest %d: narrow the window to see older ones", MaxRows)
	}
	return r, nil
}

// verify answers `audit verify`.
func (s *Skill) verify(ctx context.Context) (*opsbot.Reply, error) {
	rep, err := s.log.Verify(ctx)
	if err != nil {
		return nil, err
	}
	return &opsbot.Reply{Title: rep.Title(), Text: rep.String(), Context: rep.mode()}, nil
}
