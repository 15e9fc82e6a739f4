package actions

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
)

// Expiry is the scheduled job that lifts expired bans at their edges. It
// has the method set of schedules.Job. It also warns when an edge's set
// passes 90% of its capacity.
type Expiry struct {
	s *Skill

	mu     sync.Mutex
	warned map[string]bool // edges warned about capacity
}

// Expiry returns the job lifting the bans this Skill placed.
func (s *Skill) Expiry() *Expiry { return &Expiry{s: s, warned: map[string]bool{}} }

// Name is the job's name in schedules.
func (j *Expiry) Name() string { return "ban-expiry" }

// Run lifts every active ban whose expiry is at or before now. A ban that
// could not be lifted stays active, is warned about and is tried again on
// the next run. Each lifted ban is appended to the audit log; the notices
// go to the audit room (lifted) and the alerts room (failures, capacity).
func (j *Expiry) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	due, err := j.s.bans.due(ctx, now)
	if err != nil {
		return nil, err
	}
	byEdge := map[string][]record{}
	for _, r := range due {
		byEdge[r.Edge] = append(byEdge[r.Edge], r)
	}
	var notices []opsbot.Notice
	var lifted []string
	for _, e := range j.s.o.Edges {
		recs := byEdge[e.Name()]
		delete(byEdge, e.Name())
		if len(recs) == 0 {
			continue
		}
		done, n := j.lift(ctx, e, recs, now)
		lifted = append(lifted, done...)
		notices = append(notices, n...)
	}
	for name, recs := range byEdge { // edges gone from the config
		notices = append(notices, opsbot.Notice{Level: opsbot.LevelWarn, Key: "ban-expiry:" + name, Reply: opsbot.Reply{
			Title: fmt.Sprintf("%d expired ban(s) at %s, which is no longer configured", len(recs), name),
			Text:  "opsbot cannot lift them: remove them at the edge by hand, or put the edge back in edges: so that opsbot does."}})
	}
	if len(lifted) > 0 {
		notices = append(notices, opsbot.Notice{Level: opsbot.LevelAudit, Key: "ban-expiry", Reply: opsbot.Reply{
			Title: fmt.Sprintf("%d expired ban(s) lifted", len(lifted)), Text: strings.Join(lifted, "\n")}})
	}
	return append(notices, j.capacity()...), nil
}

func (j *Expiry) lift(ctx context.Context, e Edge, recs []record, now time.Time) ([]string, []opsbot.Notice) {
	ps := make([]netip.Prefix, 0, len(recs))
	for _, r := range recs {
		if p, err := netip.ParsePrefix(r.Prefix); err == nil {
			ps = append(ps, p)
		}
	}
	st, err := e.Unban(ctx, ps...)
	if err != nil {
		return nil, []opsbot.Notice{{Level: opsbot.LevelWarn, Key: "ban-expiry:" + e.Name(), Reply: opsbot.Reply{
			Title: fmt.Sprintf("Could not lift %d expired ban(s) at %s", len(recs), e.Name()),
			Text:  err.Error() + "\nThey stay blocked; opsbot tries again on the next run. `bans` lists them."}}}
	}
	j.s.noteUsage(e.Name(), st)
	var lines []string
	for _, r := range recs {
		r.State, r.Ended, r.EndedBy = StateExpired, now, "expiry"
		if err := j.s.bans.put(ctx, r); err != nil {
			return lines, []opsbot.Notice{{Level: opsbot.LevelWarn, Key: "ban-expiry:" + e.Name(), Reply: opsbot.Reply{Title: "Ban expiry: " + err.Error()}}}
		}
		line := fmt.Sprintf("• %s at %s (banned by %s %s: %s)", r.Prefix, e.Name(), who(r.ByID, r.ByName), stamp(r.Created), r.Reason)
		lines = append(lines, line)
		if j.s.o.Audit != nil {
			j.s.o.Audit.Record(ctx, opsbot.AuditEntry{Time: now, User: opsbot.User{ID: "opsbot", Name: "ban expiry"}, Transport: "schedules",
				Text: "unban " + r.Prefix, Action: fmt.Sprintf("unban %s at %s (expired)", r.Prefix, e.Name()), Allowed: true, Result: "ok",
				Approval: "expiry of a ban by " + who(r.ByID, r.ByName)})
		}
	}
	return lines, nil
}

// capacity warns once when an edge passes 90% full, again after it fell
// below and passed it anew.
func (j *Expiry) capacity() []opsbot.Notice {
	j.s.mu.Lock()
	usage := make(map[string]int, len(j.s.usage))
	limits := map[string]int{}
	full := map[string]bool{}
	for n, st := range j.s.usage {
		usage[n], limits[n], full[n] = st.Used, st.Limit, st.NearlyFull()
	}
	j.s.mu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []opsbot.Notice
	for n := range usage {
		if full[n] && !j.warned[n] {
			out = append(out, opsbot.Notice{Level: opsbot.LevelWarn, Key: "edge-capacity:" + n, Reply: opsbot.Reply{
				Title: fmt.Sprintf("Edge %s is %d%% full (%d of %d entries)", n, usage[n]*100/limits[n], usage[n], limits[n]),
				Text:  "New bans are refused when it is full. Lift old bans (`bans`, `unban`) or widen a range."}})
		}
		j.warned[n] = full[n]
	}
	return out
}
