package opsbot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/clocktest"
)

// A message for people is the message alone, keeps its kind and its cause
// for errors.Is, and survives the context callers wrap around it.
func TestErrorIsTheMessageAlone(t *testing.T) {
	err := opsbot.Invalidf("I don't know %q: %w", "foo", io.EOF)
	if err.Error() != `I don't know "foo": EOF` {
		t.Errorf("text %q", err.Error())
	}
	if !errors.Is(err, opsbot.ErrInvalid) || !errors.Is(err, io.EOF) || errors.Is(err, opsbot.ErrForbidden) {
		t.Errorf("kinds: invalid %v, EOF %v, forbidden %v", errors.Is(err, opsbot.ErrInvalid), errors.Is(err, io.EOF), errors.Is(err, opsbot.ErrForbidden))
	}
	wrapped := fmt.Errorf("query top_by_ip: %w", err)
	if got := opsbot.ErrorText(wrapped); got != `I don't know "foo": EOF` {
		t.Errorf("ErrorText %q", got)
	}
	if got := opsbot.ErrorText(io.EOF); got != "EOF" {
		t.Errorf("plain ErrorText %q", got)
	}
	if !errors.Is(opsbot.NotFoundf("x"), opsbot.ErrNotFound) || !errors.Is(opsbot.Forbiddenf("x"), opsbot.ErrForbidden) {
		t.Error("NotFoundf/Forbiddenf lost their kind")
	}
}

// TestSleepWaitsOnTheClock: Sleep returns when the clock passes d, and
// with ctx's error when ctx has ended, whatever the clock says.
func TestSleepWaitsOnTheClock(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	done := make(chan error, 1)
	go func() { done <- opsbot.Sleep(context.Background(), c, time.Minute) }()
	c.BlockUntil(1)
	c.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatalf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := opsbot.Sleep(ctx, c, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep after cancel = %v", err)
	}
}
