package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
)

// Errors of confirmations, for errors.Is.
var (
	ErrNoConfirmation = errors.New("no such confirmation")
	ErrExpired        = errors.New("confirmation expired")
	ErrUsed           = errors.New("confirmation already used")
	ErrNotYours       = errors.New("not your confirmation")
	ErrWrongMethod    = errors.New("wrong way to confirm")
	ErrInDM           = errors.New("send the code in a direct message to opsbot, not in a channel")
)

// maxTries wrong codes cancel a confirmation.
const maxTries = 3

// Action is a write command waiting for its confirmation.
type Action struct {
	Command   string // "ban"
	Summary   string // "ban 203.0.113.9/32 for 24h at waf, fastly"
	Method    string // config.ConfirmTOTP, ConfirmButton, ConfirmApproval or ConfirmOIDC
	Requester opsbot.User
	Channel   string
	Text      string // what the requester typed
	// Details say what will happen, for the confirmation page (oidc):
	// "prefix", "edges", "expires" …, in order; Hits is the client's
	// recent traffic, when shown. Both may be empty.
	Details []Detail
	Hits    *opsbot.Reply
	// Run carries the action out once confirmed; approval says how
	// ("totp", "button by U1", "approved by U2 (bob)").
	Run func(ctx context.Context, approval string) (*opsbot.Reply, error)
}

// Detail is one named fact of an Action.
type Detail struct{ Name, Value string }

// Pending is an open confirmation.
type Pending struct {
	ID      string
	Action  Action
	Opened  time.Time
	Expires time.Time
	tries   int
}

// Confirmations holds open confirmations. An ID confirms once: a second
// attempt is refused as used; after Expires it is refused as expired.
type Confirmations struct {
	totp   *TOTP
	within time.Duration
	now    func() time.Time

	mu      sync.Mutex
	pending map[string]*Pending
	closed  map[string]error // ID → why it is closed (used, expired, cancelled)
}

// NewConfirmations keeps confirmations open for within, on the clock now.
func NewConfirmations(t *TOTP, within time.Duration, now func() time.Time) *Confirmations {
	if now == nil {
		now = time.Now
	}
	return &Confirmations{totp: t, within: within, now: now, pending: map[string]*Pending{}, closed: map[string]error{}}
}

// Open registers a and returns its confirmation.
func (c *Confirmations) Open(a Action) *Pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep()
	now := c.now()
	p := &Pending{ID: newID(), Action: a, Opened: now, Expires: now.Add(c.within)}
	c.pending[p.ID] = p
	return p
}

// Confirm closes confirmation id for its requester u: with a TOTP code
// (sent in a DM: dm is true) or, for a button, without one. It returns the
// action and how it was approved.
func (c *Confirmations) Confirm(ctx context.Context, u opsbot.User, id, code string, dm bool) (*Pending, string, error) {
	p, err := c.take(id, func(p *Pending) error {
		if p.Action.Requester.ID != u.ID {
			return fmt.Errorf("%w: only %s, who asked, can confirm %s", ErrNotYours, who(p.Action.Requester), id)
		}
		switch p.Action.Method {
		case config.ConfirmApproval:
			return fmt.Errorf("%w: %s needs another operator to `approve %s`", ErrWrongMethod, id, id)
		case config.ConfirmTOTP:
			if code == "" {
				return fmt.Errorf("%w: send `confirm %s CODE` with the code from your authenticator", ErrWrongMethod, id)
			}
			if !dm {
				return ErrInDM
			}
			if c.totp == nil {
				return fmt.Errorf("%w: TOTP confirmations are not set up", ErrNoKey)
			}
			return c.totp.Check(ctx, u.ID, code, c.now())
		case config.ConfirmOIDC:
			return checkSignIn(ctx, id)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	switch p.Action.Method {
	case config.ConfirmTOTP:
		return p, "totp", nil
	case config.ConfirmOIDC:
		return p, oidcApproval(ctx), nil
	}
	return p, "button by " + who(u), nil
}

// Approve closes confirmation id with the approval of u, who must not be
// its requester (the router has checked that u is an operator).
func (c *Confirmations) Approve(u opsbot.User, id string) (*Pending, string, error) {
	p, err := c.take(id, func(p *Pending) error {
		if p.Action.Method != config.ConfirmApproval {
			return fmt.Errorf("%w: %s is confirmed by its requester, not approved", ErrWrongMethod, id)
		}
		if p.Action.Requester.ID == u.ID {
			return fmt.Errorf("%w: a second operator must approve %s, not its requester", ErrNotYours, id)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return p, "approved by " + who(u), nil
}

// Cancel closes id unused; only its requester may.
func (c *Confirmations) Cancel(u opsbot.User, id string) (*Pending, error) {
	return c.take(id, func(p *Pending) error {
		if p.Action.Requester.ID != u.ID {
			return fmt.Errorf("%w: only %s can cancel %s", ErrNotYours, who(p.Action.Requester), id)
		}
		return nil
	})
}

// take checks and closes id. A wrong TOTP code counts a try; maxTries
// close it. (TOTP also counts wrong codes per person, across
// confirmations, and locks them out.)
func (c *Confirmations) take(id string, check func(*Pending) error) (*Pending, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep()
	p, ok := c.pending[id]
	if !ok {
		if why, closed := c.closed[id]; closed {
			return nil, fmt.Errorf("%s: %w", id, why)
		}
		return nil, fmt.Errorf("%w %q", ErrNoConfirmation, id)
	}
	if err := check(p); err != nil {
		if errors.Is(err, ErrBadCode) {
			if p.tries++; p.tries >= maxTries {
				c.close(id, fmt.Errorf("%w: cancelled after %d wrong codes", ErrUsed, maxTries))
				return nil, fmt.Errorf("%w; %d wrong codes for %s cancelled it: ask again", err, maxTries, id)
			}
		}
		return nil, err
	}
	c.close(id, ErrUsed)
	return p, nil
}

func (c *Confirmations) close(id string, why error) {
	delete(c.pending, id)
	c.closed[id] = why
}

// sweep closes expired confirmations and forgets long-closed IDs.
func (c *Confirmations) sweep() {
	now := c.now()
	for id, p := range c.pending {
		if !now.Before(p.Expires) {
			c.close(id, fmt.Errorf("%w at %s (confirmations last %s); ask again", ErrExpired, p.Expires.UTC().Format("15:04:05Z"), c.within))
		}
	}
	if len(c.closed) > 10000 {
		clear(c.closed)
	}
}

// Get returns the open confirmation id, if any.
func (c *Confirmations) Get(id string) (*Pending, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep()
	p, ok := c.pending[id]
	return p, ok
}

func who(u opsbot.User) string {
	if u.Name != "" {
		return u.ID + " (" + u.Name + ")"
	}
	return u.ID
}

const (
	idLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	idChars   = idLetters + "23456789"
)

// newID is six characters starting with a letter, so that an ID is never
// mistaken for a six-digit code.
func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		set := idChars
		if i == 0 {
			set = idLetters
		}
		b[i] = set[int(b[i])%len(set)]
	}
	return string(b)
}

// Mine returns the open confirmations u requested, oldest first.
func (c *Confirmations) Mine(u opsbot.User) []*Pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep()
	var out []*Pending
	for _, p := range c.pending {
		if p.Action.Requester.ID == u.ID {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Pending) int { return a.Opened.Compare(b.Opened) })
	return out
}
