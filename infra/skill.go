package infra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Skill answers the audit commands in chat, live (nothing is recorded).
type Skill struct {
	a *Auditor
}

var _ opsbot.Skill = (*Skill)(nil)

// Skill returns the chat commands.
func (a *Auditor) Skill() *Skill { return &Skill{a: a} }

// Commands are mfa, security, load and instances.
func (s *Skill) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "mfa", Usage: "mfa audit", Role: opsbot.RoleReader,
			Summary:  "who signs in without MFA (AWS console, GitHub 2FA), and old access keys",
			Examples: []string{"mfa audit"}},
		{Name: "security", Usage: "security groups", Role: opsbot.RoleReader,
			Summary:  "security groups open to the internet on ports other than the public ones",
			Examples: []string{"security groups"}},
		{Name: "load", Usage: "load balancers", Role: opsbot.RoleReader,
			Summary:  "internet-facing load balancers nobody expected, and listeners without TLS",
			Examples: []string{"load balancers"}},
		{Name: "instances", Usage: "instances [last 24h]", Role: opsbot.RoleReader,
			Summary:  "EC2 instances launched within a window (default: the last 24 hours)",
			Examples: []string{"instances last 1h", "instances last 7d"}},
	}
}

// Handle runs one command's checks now.
func (s *Skill) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	words := strings.Fields(req.Text)
	if len(words) == 0 {
		return usage("", "mfa audit, security groups, load balancers or instances last 1h"), nil
	}
	now := req.Now
	if now.IsZero() {
		now = s.a.opts.Clock.Now()
	}
	now = now.UTC()
	if !s.a.Configured() {
		r := unconfigured
		return &r, nil
	}
	cmd, rest := strings.ToLower(words[0]), words[1:]
	switch cmd {
	case "mfa":
		return s.fixed(ctx, now, rest, []string{"audit"}, "mfa audit", s.mfa)
	case "security":
		return s.fixed(ctx, now, rest, []string{"groups", "group", "groups?"}, "security groups", s.securityGroups)
	case "load":
		return s.fixed(ctx, now, rest, []string{"balancers", "balancer"}, "load balancers", s.loadBalancers)
	case "instances":
		return s.instances(ctx, now, rest), nil
	}
	return usage(cmd, "mfa audit, security groups, load balancers or instances last 1h"), nil
}

// fixed runs a command that takes no arguments beyond its second word.
func (s *Skill) fixed(ctx context.Context, now time.Time, rest, second []string, form string,
	answer func(context.Context, time.Time) *opsbot.Reply) (*opsbot.Reply, error) {
	if len(rest) > 1 || (len(rest) == 1 && !oneOf(strings.ToLower(rest[0]), second)) {
		return usage(strings.Join(append([]string{strings.Fields(form)[0]}, rest...), " "), form), nil
	}
	return answer(ctx, now), nil
}

func oneOf(s string, xs []string) bool {
	for _, x := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func usage(got, want string) *opsbot.Reply {
	text := "Try " + want + "."
	if got != "" {
		text = fmt.Sprintf("I don't know %q. Try: %s.", got, want)
	}
	return &opsbot.Reply{Title: "Audit commands", Text: text, Ephemeral: true}
}
