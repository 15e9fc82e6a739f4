package rules

import (
	"time"

	"github.com/opsbot/opsbot"
)

// Phases of a rule.
const (
	Inactive = "inactive"
	Pending  = "pending" // the condition holds, not yet for `for`
	Firing   = "firing"
)

// State is one rule's state machine, persisted as JSON.
type State struct {
	Phase       string       `json:"phase"`
	Level       opsbot.Level `json:"level"` // the condition's level while pending or firing
	Value       float64      `json:"value"`
	ActiveAt    time.Time    `json:"active_at,omitzero"` // the condition began
	LastTrue    time.Time    `json:"last_true,omitzero"` // the condition last held
	FiredAt     time.Time    `json:"fired_at,omitzero"`
	ReadyAt     time.Time    `json:"ready_at,omitzero"`  // first due for a post: group wait starts
	SentLevel   opsbot.Level `json:"sent_level"`         // LevelAudit: nothing posted yet
	LastSent    time.Time    `json:"last_sent,omitzero"` // last post (first or repeat)
	Thread      string       `json:"thread,omitempty"`   // ts of the first post: resolved goes there
	ThreadLevel opsbot.Level `json:"thread_level"`       // the room of Thread
	Paged       bool         `json:"paged,omitempty"`    // a pager incident is open
	Problem     *Problem     `json:"problem,omitempty"`
}

// Problem is a rule that cannot be evaluated: its query fails or finds no
// data. It warns on its own, never pages.
type Problem struct {
	Since    time.Time `json:"since"`
	Msg      string    `json:"msg"`
	LastSent time.Time `json:"last_sent,omitzero"`
	Thread   string    `json:"thread,omitempty"`
}

// step advances s with the level the value crossed at now. cleared is true
// when a firing rule has stayed clear for keep_firing_for: the caller
// resolves it and resets the state.
func step(r Rule, s State, l opsbot.Level, v float64, now time.Time) (next State, cleared bool) {
	s.Value = v
	if l > opsbot.LevelAudit {
		s.LastTrue = now
		if s.Phase != Pending && s.Phase != Firing {
			s.Phase, s.ActiveAt = Pending, now
		}
		s.Level = l
		if s.Phase == Pending && now.Sub(s.ActiveAt) >= r.For {
			s.Phase, s.FiredAt = Firing, now
		}
		return s, false
	}
	switch s.Phase {
	case "":
		s.Phase = Inactive
	case Pending:
		return State{Phase: Inactive, Value: v, Problem: s.Problem}, false
	case Firing:
		if now.Sub(s.LastTrue) >= r.KeepFiringFor {
			return s, true
		}
	}
	return s, false
}

// due says whether a firing rule should post now: never posted at this
// level (first, or an escalation) while its condition holds now (a rule
// only kept firing against flapping, say after an inhibition lifts, does
// not start posting), or the repeat interval passed.
func due(r Rule, s State, now time.Time) bool {
	if s.Phase != Firing {
		return false
	}
	if s.SentLevel < s.Level {
		return s.LastTrue.Equal(now)
	}
	return r.Repeat > 0 && now.Sub(s.LastSent) >= r.Repeat
}

// problemDue says whether a problem should post now.
func problemDue(r Rule, p *Problem, now time.Time) bool {
	if p == nil || now.Sub(p.Since) < r.For {
		return false
	}
	return p.LastSent.IsZero() || r.Repeat > 0 && now.Sub(p.LastSent) >= r.Repeat
}
