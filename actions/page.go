package actions

import (
	"context"
	"errors"
	"fmt"
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
	if s.o.Pager == nil {
		return refuse(ctx, "", errors.New("no pager is configured (pager.services)")), nil
	}
	svc, msg := strings.ToLower(args[0]), strings.Join(args[1:], " ")
	if known, ok := s.o.Pager.(services); ok && !slices.Contains(known.Services(), svc) {
		return refuse(ctx, "page "+svc, opsbot.NotFoundf("unknown service %q; known services: %s", svc, strings.Join(known.Services(), ", "))), nil
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

func (s *Skill) runPage(ctx context.Context, req *opsbot.Request, svc, msg, approval string) (*opsbot.Reply, error) {
	p := opsbot.Page{
		Service: svc, Action: opsbot.PageTrigger, Summary: msg, Severity: "critical",
		DedupKey: fmt.Sprintf("opsbot-chat-%s-%d", svc, s.o.Now().Unix()),
		Source:   who(req.User.ID, req.User.Name) + " via chat",
		Details:  map[string]string{"requested_by": req.User.ID, "approval": approval, "channel": req.Channel},
	}
	action := fmt.Sprintf("page %s: %s", svc, msg)
	if err := s.o.Pager.Notify(ctx, p); err != nil {
		return s.outcome(ctx, req, action, approval, []string{"• " + svc + ": FAILED: " + err.Error()}, []string{svc}), nil
	}
	return s.outcome(ctx, req, action, approval, []string{"• " + svc + ": the on-call has been paged"}, nil), nil
}
