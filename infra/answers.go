package infra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// mfa answers `mfa audit`.
func (s *Skill) mfa(ctx context.Context, now time.Time) *opsbot.Reply {
	rep := s.a.Audit(ctx, Query{Checks: []Check{CheckMFA, CheckGitHub2FA, CheckAccessKeys}, Now: now})
	people := count(rep, CheckMFA) + count(rep, CheckGitHub2FA)
	who := fmt.Sprintf("%d people", people)
	if people == 1 {
		who = "1 person"
	}
	var b strings.Builder
	writeShame(&b, rep.Findings, nil)
	if people == 0 && len(rep.Errors()) == 0 {
		b.WriteString("Everyone signs in with a second factor. :tada:\n\n")
	}
	return answer(rep, &b, fmt.Sprintf("MFA audit: %s without MFA, %s", who, plural(count(rep, CheckAccessKeys), "old access key")),
		colSeverity, colAccount, colResource("user"), colOwner, colDetail, colLaunchedAs("since"))
}

// securityGroups answers `security groups`.
func (s *Skill) securityGroups(ctx context.Context, now time.Time) *opsbot.Reply {
	rep := s.a.Audit(ctx, Query{Checks: []Check{CheckSecurityGroups}, Now: now})
	n := count(rep, CheckSecurityGroups)
	var b strings.Builder
	if n == 0 && len(rep.Errors()) == 0 {
		b.WriteString("No security group is open to the internet beyond the public ports. :tada:\n\n")
	}
	return answer(rep, &b, fmt.Sprintf("Security groups open to the internet: %s", plural(n, "rule")),
		colSeverity, colAccount, colRegion, colResource("group"), colOwner, colDetail)
}

// loadBalancers answers `load balancers`.
func (s *Skill) loadBalancers(ctx context.Context, now time.Time) *opsbot.Reply {
	rep := s.a.Audit(ctx, Query{Checks: []Check{CheckLoadBalancers, CheckListeners}, Now: now})
	lbs, ls := count(rep, CheckLoadBalancers), count(rep, CheckListeners)
	var b strings.Builder
	if lbs+ls == 0 && len(rep.Errors()) == 0 {
		b.WriteString("Every internet-facing load balancer is expected and speaks TLS. :tada:\n\n")
	}
	return answer(rep, &b, fmt.Sprintf("Load balancers: %d unexpected on the internet, %s without TLS", lbs, plural(ls, "listener")),
		colSeverity, colAccount, colRegion, colResource("load balancer"), colOwner, colDetail)
}

// instances answers `instances [WINDOW]`.
func (s *Skill) instances(ctx context.Context, now time.Time, rest []string) *opsbot.Reply {
	window, err := ParseWindow(rest, s.a.opts.InstancesWindow)
	if err != nil {
		return &opsbot.Reply{Title: "instances", Text: "instances: " + err.Error() + ".", Ephemeral: true}
	}
	since := now.Add(-window)
	rep := s.a.Audit(ctx, Query{Checks: []Check{CheckInstances}, Now: now, Since: since})
	n := count(rep, CheckInstances)
	var b strings.Builder
	if n == 0 && len(rep.Errors()) == 0 {
		fmt.Fprintf(&b, "No instance was launched in the last %s.\n\n", human(window))
	}
	title := fmt.Sprintf("Instances launched in the last %s (%s–%s UTC): %d", human(window),
		since.Format(stamp(window)), now.Format(stamp(window)), n)
	return answer(rep, &b, title, colAccount, colRegion, colResource("instance"), colOwner, colLaunched, colDetail)
}

// stamp is a time layout precise enough for a window.
func stamp(window time.Duration) string {
	if window >= 24*time.Hour {
		return "2 Jan 15:04"
	}
	return "15:04"
}

func colLaunchedAs(name string) column { return column{name, colLaunched.val} }

// answer builds a command's reply: the text so far, what could not be
// checked, and every finding in a table.
func answer(rep Report, b *strings.Builder, title string, cols ...column) *opsbot.Reply {
	section(b, "*Could not check* :warning:", rep.Errors(), errLine)
	r := &opsbot.Reply{Title: title, Text: strings.TrimSpace(b.String()), Took: rep.Took,
		Context: fmt.Sprintf("checked live in %s · the daily report (infra-audit) keeps history in audit_findings", rep.Took.Round(time.Millisecond))}
	if len(rep.Findings) > 0 {
		r.Table = table(rep.Findings, cols...)
	}
	return r
}

func count(rep Report, c Check) int {
	n := 0
	for _, f := range rep.Findings {
		if f.Check == c && !f.IsError() {
			n++
		}
	}
	return n
}
