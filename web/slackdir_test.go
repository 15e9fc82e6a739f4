package web_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/web"
)

// TestSlackDirectory: an email maps to its user with their groups, after
// a rate limit; an unknown email is not found; users.info gives the
// profile email. The requests are the Web API's: the email and the user
// as form fields.
func TestSlackDirectory(t *testing.T) {
	s := slackfake.New()
	defer s.Close()
	d := web.NewSlackDirectory(slackfake.BotToken, s.APIURL(), s.Client())
	d.Backoff = func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }
	ctx := context.Background()
	s.RateLimit("users.lookupByEmail", 0)
	u, err := d.UserByEmail(ctx, "alice@example.com")
	want := opsbot.User{ID: "U0ALICE01", Name: "alice", Groups: []string{"S0READERS"}}
	if err != nil || !reflect.DeepEqual(u, want) {
		t.Fatalf("alice: %+v %v", u, err)
	}
	calls := s.Calls("users.lookupByEmail")
	if len(calls) != 1 || calls[0].Form.Get("email") != "alice@example.com" {
		t.Errorf("lookupByEmail calls %+v (the 429 is not recorded)", calls)
	}
	hits := 0
	for _, h := range s.Hits() {
		if h.Path == "/api/users.lookupByEmail" {
			hits++
		}
	}
	if hits != 2 {
		t.Errorf("lookupByEmail was sent %d times, want 2 (a 429, then the answer)", hits)
	}
	if _, err := d.UserByEmail(ctx, "dave@example.com"); !errors.Is(err, opsbot.ErrNotFound) {
		t.Errorf("dave: %v", err)
	}
	if e, err := d.Email(ctx, "U0BOB0001"); err != nil || e != "bob@example.com" {
		t.Errorf("users.info: %q %v", e, err)
	}
	if c := s.Calls("users.info"); len(c) != 1 || c[0].Form.Get("user") != "U0BOB0001" {
		t.Errorf("users.info calls %+v", c)
	}
}
