package actions

import (
	"context"
	"crypto/rand"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/deploy"
	dgithub "github.com/opsbot/opsbot/deploy/github"
	"github.com/opsbot/opsbot/deploy/webhook"
)

// DeployTarget is where a service's deploys run (deploy/github,
// deploy/webhook).
//
// Contract: Dispatch starts one deploy and is never retried inside (a
// second request could deploy twice); it returns the run's handle, or ""
// when the run must be found with Find. Find returns the run a dispatch
// made at since started, or an error wrapping deploy.ErrNoRun while none
// is listed. Status reads a run now. Changes lists the commits from the
// deployed commit from ("": unknown) to ref ("": the default branch), or
// wraps deploy.ErrUnsupported. Errors worth another try wrap
// deploy.ErrTemporary. Safe for concurrent use.
type DeployTarget interface {
	Kind() string
	Where() string
	Changes(ctx context.Context, from, ref string) (deploy.Changes, error)
	Dispatch(ctx context.Context, s deploy.Spec) (run string, err error)
	Find(ctx context.Context, s deploy.Spec, since time.Time) (run string, err error)
	Status(ctx context.Context, run string) (deploy.Status, error)
}

var (
	_ DeployTarget = (*dgithub.Target)(nil)
	_ DeployTarget = (*webhook.Target)(nil)
)

// Updater rewrites a posted message in place (Slack's chat.update); the
// Poster that posted it usually implements it (slack.Notifier).
type Updater interface {
	Update(ctx context.Context, m opsbot.Message, ts string) error
}

// Deploys answers `deploy`, `deploys`, `rollback` and `deploy lock`/
// `unlock`. A deploy is confirmed through the write Skill's confirmations
// (`confirm`, `approve`, `cancel` apply), then followed to its end in one
// message in the request's thread, updated in place; its final state is
// recorded in the audit log and posted to the audit room. State lives in
// the deploys and deploy_locks tables: Resume follows, after a restart,
// the deploys still running.
type Deploys struct {
	s       *Skill
	c       config.Deploys
	loc     *time.Location
	targets map[string]DeployTarget
	clock   opsbot.Clock
	poster  opsbot.Poster // nil: progress is not posted
	store   *deployStore
	roles   *access.Roles   // operators may lock and unlock
	base    context.Context // followers stop with it (and resume after a restart)
	wg      sync.WaitGroup

	mu      sync.Mutex
	running map[string]string // service/env → deploy ID followed here
}

var _ opsbot.Skill = (*Deploys)(nil)

// DeploysOptions wire Deploys over the write Skill.
type DeploysOptions struct {
	Config   config.Deploys
	Location *time.Location          // the team's time zone, for freeze windows
	Targets  map[string]DeployTarget // by service
	Clock    opsbot.Clock            // nil: the system clock
	Poster   opsbot.Poster           // where progress is posted (an Updater updates it)
	Context  context.Context         // followers' lifetime
	Roles    *access.Roles
}

// NewDeploys returns the deploy commands over s's confirmations, audit
// room and warehouse.
func NewDeploys(s *Skill, o DeploysOptions) *Deploys {
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return &Deploys{s: s, c: o.Config, loc: o.Location, targets: o.Targets, clock: o.Clock, poster: o.Poster,
		store: &deployStore{w: s.o.Warehouse}, roles: o.Roles, base: o.Context, running: map[string]string{}}
}

// Commands lists the deploy commands. Their router role is reader: Handle
// lets each service's deployers through.
func (d *Deploys) Commands() []opsbot.Command {
	r := opsbot.RoleReader
	return []opsbot.Command{
		{Name: "deploy", Usage: "deploy SERVICE [REF] [to ENV] · deploy lock SERVICE [ENV] REASON · deploy unlock SERVICE [ENV]", Role: r, Write: true,
			Summary:  "deploy a service after confirmation, followed to its end in the thread (the service's deployers); `deploy lock` freezes it",
			Examples: []string{"deploy api v1.2.3 to production", "deploy api", "deploy lock api production release freeze"}},
		{Name: "deploys", Usage: "deploys [SERVICE] [WINDOW]", Role: r,
			Summary: "deploy history: who, what, when, how long, result, link", Examples: []string{"deploys api 7d"}},
		{Name: "rollback", Usage: "rollback SERVICE [to ENV]", Role: r, Write: true,
			Summary: "redeploy the last successful commit before the current one, after confirmation", Examples: []string{"rollback api to production"}},
	}
}

// Handle answers one deploy command.
func (d *Deploys) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	f := strings.Fields(req.Text)
	if len(f) == 0 {
		return ephemeral("Say what to deploy, e.g. `deploy api v1.2.3 to production`."), nil
	}
	args := f[1:]
	switch cmd := strings.ToLower(f[0]); {
	case cmd == "deploys":
		return d.history(ctx, req, args)
	case cmd == "rollback":
		return d.rollback(ctx, req, args)
	case len(args) > 0 && strings.EqualFold(args[0], "lock"):
		return d.lock(ctx, req, args[1:])
	case len(args) > 0 && strings.EqualFold(args[0], "unlock"):
		return d.unlock(ctx, req, args[1:])
	}
	return d.deploy(ctx, req, args)
}

// service returns the named service's config and target.
func (d *Deploys) service(name string) (config.DeployService, DeployTarget, error) {
	svc, ok := d.c.Services[strings.ToLower(name)]
	if !ok {
		return svc, nil, opsbot.NotFoundf("no service %q is deployable (deploys.services: %s)", name, strings.Join(d.names(), ", "))
	}
	return svc, d.targets[strings.ToLower(name)], nil
}

func (d *Deploys) names() []string {
	var n []string
	for k := range d.c.Services {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// deployer reports whether u is one of svc's deployers.
func deployer(svc config.DeployService, u opsbot.User) bool {
	if u.ID == "" {
		return false
	}
	if slices.Contains(svc.Deployers.Users, u.ID) {
		return true
	}
	return slices.ContainsFunc(u.Groups, func(g string) bool { return slices.Contains(svc.Deployers.Groups, g) })
}

// env picks the environment named, or the service's default.
func env(svc config.DeployService, name string) (string, error) {
	if name == "" {
		return svc.DefaultEnv, nil
	}
	name = strings.ToLower(name)
	if _, ok := svc.Envs[name]; !ok {
		var envs []string
		for e := range svc.Envs {
			envs = append(envs, e)
		}
		sort.Strings(envs)
		return "", opsbot.Invalidf("no environment %q: one of %s", name, strings.Join(envs, ", "))
	}
	return name, nil
}

// newDeployID is "D" and five letters or digits, never six digits.
func newDeployID() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 5)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return "D" + string(b)
}

func key(service, env string) string { return service + "/" + env }

// Wait returns once every follower started here has returned (tests,
// shutdown).
func (d *Deploys) Wait() { d.wg.Wait() }

func shortSHA(sha string) string { return sha[:min(len(sha), 7)] }

func (d *Deploys) clockLine(t time.Time) string {
	return t.In(d.loc).Format("Mon 15:04 MST")
}
