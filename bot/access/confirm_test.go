package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var bob = opsbot.User{ID: "UBOB", Name: "bob"}

func action(method string) access.Action {
	return access.Action{Command: "ban", Summary: "ban 203.0.113.9/32", Method: method, Requester: alice}
}

func TestConfirmTOTPExpiresAndCannotBeReplayed(t *testing.T) {
	tp, _ := newTOTP(t)
	ctx := context.Background()
	clk := &clock{time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)}
	e, err := tp.Enroll(ctx, alice, "", clk.t)
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, e)
	c := access.NewConfirmations(tp, 5*time.Minute, clk.now)

	p := c.Open(action(config.ConfirmTOTP))
	clk.t = clk.t.Add(time.Minute)
	if _, _, err := c.Confirm(ctx, bob, p.ID, code(t, secret, clk.t), true); !errors.Is(err, access.ErrNotYours) {
		t.Errorf("someone else's code: %v", err)
	}
	if _, _, err := c.Confirm(ctx, alice, p.ID, code(t, secret, clk.t), false); !errors.Is(err, access.ErrInDM) {
		t.Errorf("code in a channel: %v", err)
	}
	got, approval, err := c.Confirm(ctx, alice, p.ID, code(t, secret, clk.t), true)
	if err != nil || got.ID != p.ID || approval != "totp" {
		t.Fatalf("confirm: %v %q", err, approval)
	}
	clk.t = clk.t.Add(31 * time.Second)
	if _, _, err := c.Confirm(ctx, alice, p.ID, code(t, secret, clk.t), true); !errors.Is(err, access.ErrUsed) {
		t.Errorf("replayed confirmation: %v", err)
	}

	p2 := c.Open(action(config.ConfirmTOTP))
	clk.t = clk.t.Add(5 * time.Minute)
	if _, _, err := c.Confirm(ctx, alice, p2.ID, code(t, secret, clk.t), true); !errors.Is(err, access.ErrExpired) {
		t.Errorf("after 5 minutes: %v", err)
	}

	p3 := c.Open(action(config.ConfirmTOTP))
	for i := 0; i < 3; i++ {
		if _, _, err := c.Confirm(ctx, alice, p3.ID, "999999x", true); err == nil {
			t.Fatal("a malformed code confirmed")
		}
	}
	if _, _, err := c.Confirm(ctx, alice, p3.ID, code(t, secret, clk.t), true); !errors.Is(err, access.ErrUsed) {
		t.Errorf("after three wrong codes: %v", err)
	}
	if _, _, err := c.Confirm(ctx, alice, "NOPE42", "1", true); !errors.Is(err, access.ErrNoConfirmation) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestConfirmCodesLockPerPerson: wrong codes count per person across
// confirmations, so cancelling and asking again buys no more guesses.
func TestConfirmCodesLockPerPerson(t *testing.T) {
	tp, _ := newTOTP(t)
	ctx := context.Background()
	clk := &clock{time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)}
	e, err := tp.Enroll(ctx, alice, "", clk.t)
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, e)
	c := access.NewConfirmations(tp, 5*time.Minute, clk.now)
	guess := func(id string) error {
		clk.t = clk.t.Add(time.Second)
		_, _, err := c.Confirm(ctx, alice, id, wrongFor(code(t, secret, clk.t)), true)
		return err
	}
	p1 := c.Open(action(config.ConfirmTOTP))
	for range 3 {
		if err := guess(p1.ID); !errors.Is(err, access.ErrBadCode) || errors.Is(err, access.ErrLocked) {
			t.Fatalf("wrong code for %s: %v", p1.ID, err)
		}
	}
	p2 := c.Open(action(config.ConfirmTOTP))
	guess(p2.ID)
	if err := guess(p2.ID); !errors.Is(err, access.ErrLocked) || !strings.Contains(err.Error(), "locked until 05:15:05Z") {
		t.Fatalf("fifth wrong code: %v", err)
	}
	clk.t = clk.t.Add(30 * time.Second)
	if _, _, err := c.Confirm(ctx, alice, p2.ID, code(t, secret, clk.t), true); !errors.Is(err, access.ErrLocked) {
		t.Fatalf("right code while locked: %v", err)
	}
	clk.t = time.Date(2026, 11, 24, 5, 15, 5, 0, time.UTC)
	p3 := c.Open(action(config.ConfirmTOTP))
	if _, _, err := c.Confirm(ctx, alice, p3.ID, code(t, secret, clk.t), true); err != nil {
		t.Fatalf("right code after the lockout: %v", err)
	}
}

func TestButtonAndApproval(t *testing.T) {
	ctx := context.Background()
	clk := &clock{time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)}
	c := access.NewConfirmations(nil, 5*time.Minute, clk.now)

	p := c.Open(action(config.ConfirmButton))
	if _, _, err := c.Confirm(ctx, bob, p.ID, "", false); !errors.Is(err, access.ErrNotYours) {
		t.Errorf("button pressed by someone else: %v", err)
	}
	if _, approval, err := c.Confirm(ctx, alice, p.ID, "", false); err != nil || approval != "button by UALICE (alice)" {
		t.Errorf("button: %v %q", err, approval)
	}

	a := c.Open(action(config.ConfirmApproval))
	if _, _, err := c.Confirm(ctx, alice, a.ID, "", false); !errors.Is(err, access.ErrWrongMethod) {
		t.Errorf("self-confirm of an approval: %v", err)
	}
	if _, _, err := c.Approve(alice, a.ID); !errors.Is(err, access.ErrNotYours) {
		t.Errorf("self-approval: %v", err)
	}
	if _, approval, err := c.Approve(bob, a.ID); err != nil || approval != "approved by UBOB (bob)" {
		t.Errorf("approval: %v %q", err, approval)
	}
	if _, _, err := c.Approve(bob, a.ID); !errors.Is(err, access.ErrUsed) {
		t.Errorf("second approval: %v", err)
	}
}
