package actions

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	dgithub "github.com/opsbot/opsbot/deploy/github"
	"github.com/opsbot/opsbot/deploy/webhook"
)

// wireDeploys builds the deploy commands from d (nil, nil when no service
// is configured). Followers live as long as ctx.
func wireDeploys(ctx context.Context, d Deps, s *Skill, roles *access.Roles) (*Deploys, error) {
	c := d.Config
	if len(c.Deploys.Services) == 0 {
		return nil, nil
	}
	targets, err := DeployTargets(c.Deploys, d.Getenv)
	if err != nil {
		return nil, err
	}
	return NewDeploys(s, DeploysOptions{Config: c.Deploys, Location: c.Location(), Targets: targets, Clock: d.Clock,
		Poster: d.Poster, Context: ctx, Roles: roles}), nil
}

// DeployTargets builds each service's target. Tokens and secrets come from
// the variables the config names (getenv); a missing one is an error
// naming its variable.
func DeployTargets(c config.Deploys, getenv func(string) string) (map[string]DeployTarget, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	out := map[string]DeployTarget{}
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t, err := deployTarget(c, c.Services[n], getenv)
		if err != nil {
			return nil, fmt.Errorf("deploys.services.%s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

func deployTarget(c config.Deploys, svc config.DeployService, getenv func(string) string) (DeployTarget, error) {
	if w := svc.Webhook; w != nil {
		secret := getenv(w.SecretEnv)
		if secret == "" {
			return nil, fmt.Errorf("set %s to the webhook's signing secret (webhook.secret_env)", w.SecretEnv)
		}
		return webhook.New(webhook.Options{URL: w.URL, Secret: []byte(secret), StatusURL: w.StatusURL}), nil
	}
	tok := getenv(c.GitHub.TokenEnv)
	if tok == "" {
		return nil, fmt.Errorf("set %s to a GitHub token with actions:write and contents:read (deploys.github.token_env)", c.GitHub.TokenEnv)
	}
	g := svc.GitHub
	return dgithub.New(dgithub.Options{Repo: g.Repo, Workflow: g.Workflow, Ref: g.Ref, Token: tok, BaseURL: c.GitHub.BaseURL})
}

var _ opsbot.Skill = (*Deploys)(nil)
