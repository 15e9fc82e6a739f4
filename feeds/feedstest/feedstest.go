// Package feedstest holds fakes for tests of feeds and its sources: a
// Poster and an Auditor that keep what they were given.
package feedstest

import (
	"context"
	"fmt"
	"sync"

	"github.com/opsbot/opsbot"
)

// Poster keeps every message posted. Fail, while set, makes Post fail.
type Poster struct {
	mu      sync.Mutex
	msgs    []opsbot.Message
	changed chan struct{} // closed on every post
	Fail    error
}

// Post keeps m.
func (p *Poster) Post(_ context.Context, m opsbot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		return "", p.Fail
	}
	p.msgs = append(p.msgs, m)
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
	return fmt.Sprintf("1700000000.%06d", len(p.msgs)), nil
}

// Take returns the messages posted since the last Take.
func (p *Poster) Take() []opsbot.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.msgs
	p.msgs = nil
	return m
}

// Wait blocks until at least n messages are kept (or ctx ends) and
// returns them, like Take.
func (p *Poster) Wait(ctx context.Context, n int) ([]opsbot.Message, error) {
	for {
		p.mu.Lock()
		if len(p.msgs) >= n {
			m := p.msgs
			p.msgs = nil
			p.mu.Unlock()
			return m, nil
		}
		if p.changed == nil {
			p.changed = make(chan struct{})
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Auditor keeps audit entries.
type Auditor struct {
	mu      sync.Mutex
	Entries []opsbot.AuditEntry
}

// Record keeps e.
func (a *Auditor) Record(_ context.Context, e opsbot.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Entries = append(a.Entries, e)
	return nil
}

// Taken returns the entries so far.
func (a *Auditor) Taken() []opsbot.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]opsbot.AuditEntry(nil), a.Entries...)
}
