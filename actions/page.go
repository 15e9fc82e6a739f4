package actions

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// services is what pager.Router offers besides Notify: the known services.
type services interface{ Services() []string }

// disabled is what pager.Router says of a service it cannot page: why.
type disabled interface{ Disabled(service string) error }

func (s *Skill) page(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) < 2 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `page SERVICE MESSAGE`, e.g. `page ops Everything is on fire!`")), nil
	}
	svc, msg := strings.ToLower(args[0]), strings.Join(args[1:], " ")
	known, listed := s.o.Pager.(services)
	if s.o.Pager == nil || listed && len(known.Services()) == 0 {
		return refuse(ctx, "page "+svc, noPager(svc)), nil
	}
	if listed && !slices.Contains(known.Services(), svc) {
		return refuse(ctx, "page "+svc, opsbot.NotFoundf("unknown service %q; known services: %s (pager.services in the config)", svc, strings.Join(known.Services(), ", "))), nil
	}
	if d, ok := s.o.Pager.(disabled); ok && d.Disabled(svc) != nil {
		return refuse(ctx, "page "+svc, d.Disabled(svc)), nil
	}
	msg = text.Cut(msg, 1024) // a page summary holds 1024 characters; cut whole
	summary := fmt.Sprintf("page %s: %s", svc, msg)
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return s.runPage(ctx, req, svc, msg, approval)
	}
	return s.open(ctx, req, "page", summary, run, nil), nil
}

// noPager says no pager is configured and shows the config that adds one
// for svc (a placeholder name when svc is not a valid service name).
func noPager(svc string) error {
	if !validService.MatchString(svc) {
		svc = "ops"
	}
	key := "OPSBOT_PD_" + strings.ToUpper(strings.NewReplacer("-", "_").Replace(svc))
	return opsbot.NotFoundf("no pager is configured, so nobody can be paged. Add one to the config file and restart opsbot:\n"+
		"```\npager:\n  services:\n    %s: {provider: pagerduty, key_env: %s}\n```\n"+
		"then set %s to the service's PagerDuty routing key (opsgenie and webhook work too: see opsbot.example.yaml).", svc, key, key)
}

var validService = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`) // as config.Pager allows

func (s *Skill) runPage(ctx context.Context, req *opsbot.Request, svc, msg, approval string) (*opsbot.Reply, error) {
	p := opsbot.Page{
		Service: svc, Action: opsbot.PageTrigger, Summary: msg, Severity: "critical",
		DedupKey: fmt.Sprintf("opsbot-chat-%s-%d", svc, s.o.Now().Unix()),
		Source:   who(req.User.ID, req.User.Name) + " via chat",
		Details:  pageDetails(req, approval),
	}
	action := fmt.Sprintf("page %s: %s", svc, msg)
	if err := s.o.Pager.Notify(ctx, p); err != nil {
		return s.outcome(ctx, req, action, approval, []string{"• " + svc + ": FAILED: " + err.Error()}, []string{svc}), nil
	}
	return s.outcome(ctx, req, action, approval, []string{"• " + svc + ": the on-call has been paged"}, nil), nil
}

// pageDetails tell the on-call who asked and where: the Slack channel, or
// the transport (terminal, socket) when there is none.
func pageDetails(req *opsbot.Request, approval string) map[string]string {
	d := map[string]string{"requested_by": req.User.ID, "approval": approval, "transport": req.Transport}
	if req.Channel != "" {
		d["channel"] = req.Channel
	}
	return d
}
