package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/internal/text"
)

const deployUsage = "usage: `deploy SERVICE [REF] [to ENV]`, e.g. `deploy api v1.2.3 to production`"

// deployAsk is a deploy asked for, checked and ready to confirm.
type deployAsk struct {
	service, env string
	svc          config.DeployService
	target       DeployTarget
	prev         *deployRecord // the current deploy, if any
	changes      deploy.Changes
	rollback     bool
}

func (a deployAsk) String() string {
	verb := "deploy"
	if a.rollback {
		verb = "rollback"
	}
	s := fmt.Sprintf("%s %s %s", verb, a.service, text.Visible(a.changes.Ref))
	if a.changes.SHA != "" && !strings.HasPrefix(a.changes.SHA, a.changes.Ref) {
		s += " (" + shortSHA(a.changes.SHA) + ")"
	}
	return s + " to " + a.env
}

// parseDeploy reads `SERVICE [REF] [to ENV]`.
func parseDeploy(args []string) (service, ref, envName string, err error) {
	if n := len(args); n >= 2 && strings.EqualFold(args[n-2], "to") {
		envName, args = args[n-1], args[:n-2]
	}
	switch len(args) {
	case 1:
		return args[0], "", envName, nil
	case 2:
		if !validRef(args[1]) {
			return "", "", "", opsbot.Invalidf("%q is not a git ref opsbot deploys: a branch, tag or commit of letters, digits and `._/-`, without `..`, a leading `-` or `/`, at most 200 characters", args[1])
		}
		return args[0], args[1], envName, nil
	}
	return "", "", "", opsbot.Invalidf(deployUsage)
}

// validRef accepts the refs people deploy (v1.2.3, main, release/2026-12,
// a commit SHA) and nothing that could change the GitHub API path it is
// put in (compare/BASE...REF): no `..`, `?`, `#`, `%`, spaces or controls.
func validRef(ref string) bool {
	if ref == "" || len(ref) > 200 || ref[0] == '-' || ref[0] == '/' || strings.HasSuffix(ref, "/") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "//") || strings.HasSuffix(ref, ".lock") {
		return false
	}
	for _, c := range ref {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._/-", c)) {
			return false
		}
	}
	return true
}

// deploy answers `deploy SERVICE [REF] [to ENV]`: every check, then the
// confirmation showing what changes.
func (d *Deploys) deploy(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	service, ref, envName, err := parseDeploy(args)
	if err != nil {
		return refuse(ctx, "", err), nil
	}
	a, err := d.ask(ctx, req, service, envName)
	if err != nil {
		return d.refused(ctx, req.Text, err)
	}
	from := ""
	if a.prev != nil {
		from = a.prev.SHA
	}
	if ref == "" {
		ref = a.svc.DefaultRef
	}
	if a.changes, err = d.changes(ctx, a.target, from, ref); err != nil {
		return d.refused(ctx, req.Text, err)
	}
	return d.confirmation(ctx, req, a), nil
}

// ask checks who asks, the service, the environment, its lock and the
// deploy running there.
func (d *Deploys) ask(ctx context.Context, req *opsbot.Request, service, envName string) (deployAsk, error) {
	svc, t, err := d.service(service)
	if err != nil {
		return deployAsk{}, err
	}
	a := deployAsk{service: strings.ToLower(service), svc: svc, target: t}
	if !deployer(svc, req.User) {
		return a, opsbot.Forbiddenf("only %s's deployers (deploys.services.%s.deployers) may deploy it", a.service, a.service)
	}
	if a.env, err = env(svc, envName); err != nil {
		return a, err
	}
	if err := d.free(ctx, a.service, a.env); err != nil {
		return a, err
	}
	last, err := d.store.successes(ctx, a.service, a.env, 1)
	if len(last) > 0 {
		a.prev = &last[0]
	}
	return a, err
}

// free refuses a locked service or one with a deploy running there.
func (d *Deploys) free(ctx context.Context, service, env string) error {
	l, err := d.store.lock(ctx, service, env)
	if err != nil {
		return err
	}
	if l != nil {
		return opsbot.Forbiddenf("%s is locked (%s) by %s since %s: %s. `deploy unlock %s %s` lifts it",
			service, cmpOr(l.Env, "every environment"), who(l.ByID, l.ByName), d.clockLine(l.At), text.Visible(l.Reason), service, l.Env)
	}
	r, err := d.store.running(ctx, service, env)
	if err != nil || r == nil {
		return err
	}
	return opsbot.Forbiddenf("%s is already being deployed to %s: %s by %s since %s (deploy %s%s); one deploy at a time",
		service, env, text.Visible(r.Ref), who(r.ByID, r.ByName), d.clockLine(r.Started), r.ID, linkSuffix(r.URL))
}

// changes asks the target what the deploy brings; a target that cannot
// say is no error.
func (d *Deploys) changes(ctx context.Context, t DeployTarget, from, ref string) (deploy.Changes, error) {
	c, err := t.Changes(ctx, from, ref)
	if errors.Is(err, deploy.ErrUnsupported) {
		return deploy.Changes{Ref: ref}, nil
	}
	if err != nil && !errors.Is(err, deploy.ErrTemporary) {
		return c, opsbot.Invalidf("%s: %w", t.Where(), err)
	}
	return c, err
}

// refused answers a refusal; failures of the warehouse or a target are
// errors.
func (d *Deploys) refused(ctx context.Context, action string, err error) (*opsbot.Reply, error) {
	var e *opsbot.Error
	if errors.As(err, &e) {
		return refuse(ctx, action, err), nil
	}
	return nil, err
}

// confirmation opens the confirmation: the service's method for the
// environment, a second operator's approval inside a freeze window.
func (d *Deploys) confirmation(ctx context.Context, req *opsbot.Request, a deployAsk) *opsbot.Reply {
	method, why := a.svc.Confirm(a.env), ""
	if f, frozen := d.c.Frozen(d.clock.Now(), d.loc, a.env); frozen {
		method = config.ConfirmApproval
		why = fmt.Sprintf("❄ Deploys are frozen now (%s–%s %s: %s): a second operator must approve this one.\n",
			f.From, f.To, d.loc, text.Visible(cmpOr(f.Reason, "freeze window")))
	} else if !d.operator(ctx, req) {
		method, why = config.ConfirmApproval, "Deploys by deployers who are not operators are approved by an operator.\n"
	}
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return d.start(ctx, req, a, approval)
	}
	r := d.s.openWith(ctx, req, a.verb(), method, a.String(), run, nil)
	r.Text = why + d.whatChanges(a) + "\n" + r.Text
	return r
}

func (a deployAsk) verb() string {
	if a.rollback {
		return "rollback"
	}
	return "deploy"
}

// whatChanges shows the deployed commit, the new one and the commits
// between (their titles and authors come from the repository: sanitized).
func (d *Deploys) whatChanges(a deployAsk) string {
	var b strings.Builder
	now := "nothing deployed by opsbot yet"
	if a.prev != nil {
		now = fmt.Sprintf("%s (%s) by %s, %s", text.Visible(a.prev.Ref), shortSHA(a.prev.SHA), who(a.prev.ByID, a.prev.ByName), d.clockLine(a.prev.Started))
	}
	fmt.Fprintf(&b, "Now on %s: %s\nNew: %s via %s\n", a.env, now, strings.TrimSpace(text.Visible(a.changes.Ref)+" "+shortSHA(a.changes.SHA)), a.target.Where())
	c := a.changes
	switch {
	case a.rollback:
		fmt.Fprintf(&b, "Takes back %d commit(s):\n", c.Count)
	case c.Count > 0:
		fmt.Fprintf(&b, "%d new commit(s):\n", c.Count)
	case a.prev != nil && c.SHA != "":
		b.WriteString("No new commits.\n")
	}
	for _, cm := range c.Commits {
		fmt.Fprintf(&b, "• %s %s (%s)\n", shortSHA(cm.SHA), text.Cut(text.Visible(cm.Title), 80), text.Visible(cm.Author))
	}
	if more := c.Count - len(c.Commits); more > 0 {
		fmt.Fprintf(&b, "• … and %d more\n", more)
	}
	if c.URL != "" {
		b.WriteString(c.URL + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// rollback answers `rollback SERVICE [to ENV]`: the last successful commit
// before the current one, with the same checks and confirmation.
func (d *Deploys) rollback(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	service, ref, envName, err := parseDeploy(args)
	if err != nil || ref != "" {
		return refuse(ctx, "", opsbot.Invalidf("usage: `rollback SERVICE [to ENV]`")), nil
	}
	a, err := d.ask(ctx, req, service, envName)
	if err != nil {
		return d.refused(ctx, req.Text, err)
	}
	a.rollback = true
	recs, err := d.store.successes(ctx, a.service, a.env, 50)
	if err != nil {
		return nil, err
	}
	i := 1
	for i < len(recs) && recs[i].SHA == recs[0].SHA {
		i++
	}
	if i >= len(recs) {
		return refuse(ctx, req.Text, opsbot.NotFoundf("no successful deploy of %s to %s before the current one: `deploys %s` shows the history", a.service, a.env, a.service)), nil
	}
	back := recs[i]
	if a.changes, err = d.changes(ctx, a.target, back.SHA, a.prev.SHA); err != nil {
		return d.refused(ctx, req.Text, err)
	}
	a.changes.Ref, a.changes.SHA = back.Ref, back.SHA
	return d.confirmation(ctx, req, a), nil
}

func linkSuffix(url string) string {
	if url == "" {
		return ""
	}
	return ", " + url
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
