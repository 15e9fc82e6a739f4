package query

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
)

// Skill is the chat face of an Engine: the read-only query commands.
type Skill struct{ e *Engine }

var _ opsbot.Skill = (*Skill)(nil)

// Skill returns the chat skill answering top, hits, traffic, status, rate,
// slowest, graph and explain.
func (e *Engine) Skill() opsbot.Skill { return &Skill{e: e} }

// Commands lists the query commands for routing and help.
func (s *Skill) Commands() []opsbot.Command { return commands }

var commands = []opsbot.Command{
	{Name: "top", Usage: "top [N] WHAT by DIMENSION [for|on FILTER] [WINDOW]",
		Summary: "the top N (default 10) IPs, paths, hosts… by requests, 4xx, 5xx, errors, a status, bytes or slow requests, last hour unless a WINDOW is given; " +
			"DIMENSION: ip, path, host, method, status, user agent, referer, pop (edge location), country, asn; FILTER: a path, host, IP/CIDR or status; " +
			"WINDOW: last 15m, last hour, last 24h, today, yesterday, since 10:00, between 2026-11-22 06:00 and 2026-11-22 12:00",
		Role:     opsbot.RoleReader,
		Examples: []string{"top 4xx by ip", "top 20 404 by path last 24h", "top 5xx by host today", "top requests by user agent for /donate", "top bytes by path since 10:00"}},
	{Name: "hits", Usage: "hits IP|CIDR [WINDOW]",
		Summary: "what a client (or every client in a range) did, last 24h unless a WINDOW is given: requests, bytes, first/last seen, totals by status, top paths, user agents — look before you ban",
		Role:    opsbot.RoleReader, Examples: []string{"hits 104.2.1.1", "hits 2001:db8:bad::/48 last hour", "hits 10.0.0.0/8 yesterday"}},
	{Name: "traffic", Usage: "traffic [PATH|HOST] [WINDOW]",
		Summary: "requests, ok, 4xx, 5xx and bytes over time for a path or a host (or everything), in buckets",
		Role:    opsbot.RoleReader, Examples: []string{"traffic /donate", "traffic api.example.org last 24h"}},
	{Name: "status", Usage: "status [WINDOW]", Summary: "the status mix: requests per status code",
		Role: opsbot.RoleReader, Examples: []string{"status", "status last 24h", "status yesterday"}},
	{Name: "rate", Usage: "rate [5xx|4xx|errors|STATUS|slow] [WINDOW]",
		Summary: "the share of requests that were 5xx (or 4xx, errors, a status, slow), overall and per bucket",
		Role:    opsbot.RoleReader, Examples: []string{"rate 5xx", "rate 5xx last 24h", "rate 404 today"}},
	{Name: "slowest", Usage: "slowest [N] paths [WINDOW]",
		Summary: "the paths with the slowest p95 time-taken (at least 10 requests), with p50, p95 and max seconds",
		Role:    opsbot.RoleReader, Examples: []string{"slowest paths", "slowest paths last 24h"}},
	{Name: "graph", Usage: "graph [requests|4xx|5xx|errors|STATUS|bytes|slow] [WINDOW]",
		Summary: "a PNG chart of requests (or 4xx, 5xx, bytes …) over time",
		Role:    opsbot.RoleReader, Examples: []string{"graph 5xx last 24h", "graph requests today"}},
	{Name: "explain", Usage: "explain PHRASE",
		Summary: "the SQL file and bound parameters a phrase runs, with a clickhouse-client command to run it yourself",
		Role:    opsbot.RoleReader, Examples: []string{"explain top 4xx by ip", "explain hits 1.2.3.4 last 24h"}},
}

// Handle answers one query command. Bad input gets an ephemeral reply that
// names what was wrong and suggests a phrase; engine failures are errors.
func (s *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	r, err := s.e.Ask(ctx, req.Text, req.Now)
	if errors.Is(err, opsbot.ErrInvalid) {
		return s.e.invalid(req.Text, err), nil
	}
	return r, err
}

// invalid is the ephemeral answer to a phrase that didn't parse.
func (e *Engine) invalid(text string, err error) *opsbot.Reply {
	msg := opsbot.ErrorText(err)
	if sug := e.SuggestFor(text, err); sug != "" && !strings.EqualFold(sug, strings.Join(strings.Fields(text), " ")) {
		msg += fmt.Sprintf(" — did you mean %q?", sug)
	}
	return &opsbot.Reply{Text: msg + " Type `help " + firstCommand(text) + "` for the forms.", Ephemeral: true}
}

func firstCommand(text string) string {
	_, low := words(text)
	for _, c := range commands {
		if len(low) > 0 && c.Name == low[0] {
			return c.Name
		}
	}
	return "top"
}
