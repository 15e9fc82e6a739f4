package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
)

// An oidc confirmation closes only with a web sign-in in the context, for
// its requester, once, before it expires.
func TestConfirmOIDCNeedsASignIn(t *testing.T) {
	clk := &clock{time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)}
	c := access.NewConfirmations(nil, 5*time.Minute, clk.now)
	signed := access.WithSignIn(context.Background(), access.SignIn{Email: "alice@example.com", Subject: "1", Issuer: "https://idp"})

	p := c.Open(action(config.ConfirmOIDC))
	if _, _, err := c.Confirm(context.Background(), alice, p.ID, "", false); !errors.Is(err, access.ErrWrongMethod) {
		t.Errorf("typed in chat: %v", err)
	}
	if _, _, err := c.Confirm(signed, bob, p.ID, "", false); !errors.Is(err, access.ErrNotYours) {
		t.Errorf("someone else signed in: %v", err)
	}
	got, approval, err := c.Confirm(signed, alice, p.ID, "", false)
	if err != nil || got.ID != p.ID || approval != "oidc as alice@example.com" {
		t.Fatalf("confirm: %v %q", err, approval)
	}
	if _, _, err := c.Confirm(signed, alice, p.ID, "", false); !errors.Is(err, access.ErrUsed) {
		t.Errorf("replayed: %v", err)
	}
	p2 := c.Open(action(config.ConfirmOIDC))
	clk.t = clk.t.Add(5 * time.Minute)
	if _, _, err := c.Confirm(signed, alice, p2.ID, "", false); !errors.Is(err, access.ErrExpired) {
		t.Errorf("expired: %v", err)
	}
}
