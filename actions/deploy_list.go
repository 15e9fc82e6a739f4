package actions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/internal/text"
)

// maxHistory are the deploys `deploys` lists.
const maxHistory = 50

// history answers `deploys [SERVICE] [WINDOW]` (7d unless given, up to
// 90d): who, what, when, how long, result, link; newest first.
func (d *Deploys) history(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	service, window := "", 7*24*time.Hour
	for _, a := range args {
		if w, err := parseFor(a, 90*24*time.Hour); err == nil {
			window = w
			continue
		}
		if _, _, err := d.service(a); err != nil {
			return refuse(ctx, "", opsbot.Invalidf("usage: `deploys [SERVICE] [WINDOW]`, e.g. `deploys api 7d`: %w", err)), nil
		}
		service = strings.ToLower(a)
	}
	recs, err := d.store.history(ctx, service, d.clock.Now().Add(-window), maxHistory)
	if err != nil {
		return nil, err
	}
	res := &opsbot.Result{Columns: []opsbot.Column{{Name: "started", Type: "String"}, {Name: "service", Type: "String"}, {Name: "env", Type: "String"},
		{Name: "ref", Type: "String"}, {Name: "by", Type: "String"}, {Name: "took", Type: "String"}, {Name: "result", Type: "String"}, {Name: "link", Type: "String"}}}
	for _, r := range recs {
		took := ""
		if !r.Ended.IsZero() {
			took = text.Duration(r.Ended.Sub(r.Started))
		}
		result := string(r.State)
		if r.Detail != "" && r.State.Final() && r.State != "success" {
			result += ": " + r.Detail
		}
		res.Rows = append(res.Rows, []any{d.clockLine(r.Started), r.Service, r.Env, r.Ref + " " + shortSHA(r.SHA), who(r.ByID, r.ByName), took, result, cmpOr(r.LogURL, r.URL)})
	}
	title := fmt.Sprintf("Deploys of %s, last %s", cmpOr(service, "every service"), human(window))
	if len(recs) == 0 {
		return &opsbot.Reply{Title: title, Text: "None."}, nil
	}
	return &opsbot.Reply{Title: title, Table: res, Context: fmt.Sprintf("%d deploys, newest first (at most %d)", len(recs), maxHistory)}, nil
}

// lock answers `deploy lock SERVICE [ENV] REASON`: deployers and operators
// may freeze a service.
func (d *Deploys) lock(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	if len(args) < 2 {
		return refuse(ctx, "", opsbot.Invalidf("usage: `deploy lock SERVICE [ENV] REASON`")), nil
	}
	service, envName, reason, err := d.lockArgs(ctx, req, args)
	if err != nil {
		return refuse(ctx, req.Text, err), nil
	}
	if reason == "" {
		return refuse(ctx, req.Text, opsbot.Invalidf("say why: `deploy lock %s %s REASON`", service, envName)), nil
	}
	return d.setLock(ctx, req, lockRecord{Service: service, Env: envName, Locked: true, Reason: reason})
}

// unlock answers `deploy unlock SERVICE [ENV]`.
func (d *Deploys) unlock(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	service, envName, rest, err := d.lockArgs(ctx, req, args)
	if err == nil && (len(args) == 0 || rest != "") {
		err = opsbot.Invalidf("usage: `deploy unlock SERVICE [ENV]`")
	}
	if err != nil {
		return refuse(ctx, req.Text, err), nil
	}
	l, err := d.store.lock(ctx, service, envName)
	if err != nil {
		return nil, err
	}
	if l == nil || l.Env != envName {
		return refuse(ctx, req.Text, opsbot.NotFoundf("%s %s is not locked", service, cmpOr(envName, "(every environment)"))), nil
	}
	return d.setLock(ctx, req, lockRecord{Service: service, Env: envName, Reason: "unlocked"})
}

// lockArgs reads SERVICE [ENV] REST and checks that the asker is one of
// the service's deployers or an operator.
func (d *Deploys) lockArgs(ctx context.Context, req *opsbot.Request, args []string) (service, envName, rest string, err error) {
	if len(args) == 0 {
		return "", "", "", opsbot.Invalidf("name the service")
	}
	svc, _, err := d.service(args[0])
	if err != nil {
		return "", "", "", err
	}
	service = strings.ToLower(args[0])
	if !deployer(svc, req.User) && !d.operator(ctx, req) {
		return "", "", "", opsbot.Forbiddenf("only %s's deployers and operators may lock or unlock its deploys", service)
	}
	args = args[1:]
	if len(args) > 0 {
		if _, ok := svc.Envs[strings.ToLower(args[0])]; ok {
			envName, args = strings.ToLower(args[0]), args[1:]
		}
	}
	return service, envName, strings.Join(args, " "), nil
}

func (d *Deploys) operator(ctx context.Context, req *opsbot.Request) bool {
	return d.roles != nil && d.roles.Role(ctx, req.User, req.Channel) >= opsbot.RoleOperator
}

// setLock records l, notes it for the audit entry and posts it to the
// audit room.
func (d *Deploys) setLock(ctx context.Context, req *opsbot.Request, l lockRecord) (*opsbot.Reply, error) {
	l.ByID, l.ByName, l.At = req.User.ID, req.User.Name, d.clock.Now()
	if err := d.store.putLock(ctx, l); err != nil {
		return nil, err
	}
	action := fmt.Sprintf("deploy unlock %s %s", l.Service, cmpOr(l.Env, "(every environment)"))
	if l.Locked {
		action = fmt.Sprintf("deploy lock %s %s: %s", l.Service, cmpOr(l.Env, "(every environment)"), text.Visible(l.Reason))
	}
	bot.NoteFrom(ctx).Action(action)
	r := &opsbot.Reply{Title: "Done: " + action}
	if err := d.s.post(ctx, opsbot.AuditEntry{Time: l.At, User: req.User, Channel: req.Channel, Transport: req.Transport,
		Text: req.Text, Action: action, Allowed: true, Result: "ok"}); err != nil {
		r.Text = "(" + err.Error() + ": tell the team yourself)"
	}
	return r, nil
}
