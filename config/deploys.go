package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Deploys is the `deploys:` section: services deployed from chat
// (`deploy`, `deploys`, `rollback`, `deploy lock`), each through a GitHub
// Actions workflow or a signed webhook. Nothing is deployable until a
// service is listed.
type Deploys struct {
	// GitHub is the API the workflows are dispatched through.
	GitHub DeploysGitHub `yaml:"github"`
	// FindRunWithin bounds the search for the run a dispatch started (2m):
	// past it the deploy is reported as dispatched but not found.
	FindRunWithin time.Duration `yaml:"find_run_within"`
	// Poll is how often a running deploy is read (10s).
	Poll time.Duration `yaml:"poll"`
	// Timeout ends the following of a deploy still running (1h): it is
	// reported as timed out.
	Timeout time.Duration `yaml:"timeout"`
	// Freeze windows, in the team's time zone (timezone:), refuse deploys
	// unless a second operator approves.
	Freeze []FreezeWindow `yaml:"freeze"`
	// Services by name, as typed in `deploy NAME`.
	Services map[string]DeployService `yaml:"services"`
}

// DeploysGitHub is the `deploys.github:` section.
type DeploysGitHub struct {
	// TokenEnv names the variable holding a token with actions:write and
	// contents:read on the services' repositories (OPSBOT_DEPLOY_TOKEN).
	TokenEnv string `yaml:"token_env"`
	// BaseURL is the REST API (https://api.github.com/; GitHub Enterprise:
	// https://HOST/api/v3/).
	BaseURL string `yaml:"base_url"`
}

// FreezeWindow is a weekly window when deploys need a second operator.
type FreezeWindow struct {
	Days   []string `yaml:"days"` // mon … sun; empty: every day
	From   string   `yaml:"from"` // 16:00
	To     string   `yaml:"to"`   // 24:00
	Envs   []string `yaml:"envs"` // empty: every environment
	Reason string   `yaml:"reason"`
}

// DeployService is one service in `deploys.services:`.
type DeployService struct {
	// Deployers may deploy it (operators may not, unless listed).
	Deployers Members `yaml:"deployers"`
	// DefaultEnv is the environment of `deploy NAME` without `to ENV`.
	DefaultEnv string `yaml:"default_env"`
	// DefaultRef is the ref of `deploy NAME` without one ("": the
	// repository's default branch).
	DefaultRef string `yaml:"default_ref"`
	// Envs are the environments and each one's confirmation: totp,
	// button or approval (a second operator; production's usual).
	Envs map[string]DeployEnv `yaml:"envs"`
	// GitHub or Webhook is where the deploy runs: exactly one.
	GitHub  *DeployWorkflow `yaml:"github"`
	Webhook *DeployWebhook  `yaml:"webhook"`
}

// DeployEnv is one environment of a service.
type DeployEnv struct {
	Confirm string `yaml:"confirm"` // totp (default), button, approval
}

// DeployWorkflow is a GitHub Actions workflow with a workflow_dispatch
// trigger taking the inputs ref, environment and requested_by.
type DeployWorkflow struct {
	Repo     string `yaml:"repo"`     // owner/name
	Workflow string `yaml:"workflow"` // its file name: deploy.yml
	Ref      string `yaml:"ref"`      // the branch the workflow file is read from ("": the default branch)
}

// DeployWebhook is a deployer reached by a POST whose body is signed with
// HMAC-SHA256 under the secret in SecretEnv.
type DeployWebhook struct {
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env"`
	// StatusURL, when set, is polled for the deploy's state; {id} is the
	// id the webhook answered.
	StatusURL string `yaml:"status_url"`
}

func (c *Deploys) defaults() {
	c.GitHub = DeploysGitHub{TokenEnv: "OPSBOT_DEPLOY_TOKEN", BaseURL: "https://api.github.com/"}
	c.FindRunWithin, c.Poll, c.Timeout = 2*time.Minute, 10*time.Second, time.Hour
}

var (
	deployName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)
	repoName   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	hhmm       = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$|^24:00$`)
	weekdays   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

func (c *Deploys) validate() error {
	switch {
	case !auditEnvNameRE.MatchString(c.GitHub.TokenEnv):
		return fieldErr("deploys.github.token_env", "%q is not an environment variable name (the token itself never goes in this file)", c.GitHub.TokenEnv)
	case !auditHTTPURL(c.GitHub.BaseURL):
		return fieldErr("deploys.github.base_url", "%q is not an http(s) URL", c.GitHub.BaseURL)
	case c.FindRunWithin < 10*time.Second || c.FindRunWithin > 30*time.Minute:
		return fieldErr("deploys.find_run_within", "must be between 10s and 30m, got %s", c.FindRunWithin)
	case c.Poll < time.Second || c.Poll > 5*time.Minute:
		return fieldErr("deploys.poll", "must be between 1s and 5m, got %s", c.Poll)
	case c.Timeout < time.Minute || c.Timeout > 24*time.Hour:
		return fieldErr("deploys.timeout", "must be between 1m and 24h, got %s", c.Timeout)
	}
	for i, f := range c.Freeze {
		if err := f.validate(fmt.Sprintf("deploys.freeze[%d]", i)); err != nil {
			return err
		}
	}
	for name, s := range c.Services {
		if err := s.validate(name); err != nil {
			return err
		}
	}
	return nil
}

func (f FreezeWindow) validate(at string) error {
	for _, d := range f.Days {
		if !slices.Contains(weekdays, strings.ToLower(d)) {
			return fieldErr(at+".days", "%q is not a day (mon, tue, wed, thu, fri, sat, sun)", d)
		}
	}
	if !hhmm.MatchString(f.From) || f.From == "24:00" {
		return fieldErr(at+".from", "must be a time HH:MM, got %q", f.From)
	}
	if !hhmm.MatchString(f.To) || f.To <= f.From {
		return fieldErr(at+".to", "must be a time HH:MM after from (24:00 for midnight), got %q", f.To)
	}
	return nil
}

func (s DeployService) validate(name string) error {
	at := "deploys.services." + name
	switch {
	case !deployName.MatchString(name):
		return fieldErr(at, "a service name is lowercase letters, digits, '.', '_' or '-'")
	case len(s.Deployers.Users)+len(s.Deployers.Groups) == 0:
		return fieldErr(at+".deployers", "name who may deploy it (users or groups)")
	case len(s.Envs) == 0:
		return fieldErr(at+".envs", "list its environments, e.g. {staging: {confirm: button}, production: {confirm: approval}}")
	case s.DefaultEnv == "" || !hasKey(s.Envs, s.DefaultEnv):
		return fieldErr(at+".default_env", "must be one of its envs, got %q", s.DefaultEnv)
	case (s.GitHub == nil) == (s.Webhook == nil):
		return fieldErr(at, "set exactly one of github and webhook")
	case s.Webhook != nil && s.DefaultRef == "":
		return fieldErr(at+".default_ref", "a webhook service needs a default ref (a webhook has no default branch to ask)")
	}
	for env, e := range s.Envs {
		if !deployName.MatchString(env) {
			return fieldErr(at+".envs."+env, "an environment name is lowercase letters, digits, '.', '_' or '-'")
		}
		if e.Confirm != "" && e.Confirm != ConfirmTOTP && e.Confirm != ConfirmButton && e.Confirm != ConfirmApproval {
			return fieldErr(at+".envs."+env+".confirm", "must be totp, button or approval, got %q", e.Confirm)
		}
	}
	if s.GitHub != nil {
		return s.GitHub.validate(at + ".github")
	}
	return s.Webhook.validate(at + ".webhook")
}

func (w *DeployWorkflow) validate(at string) error {
	switch {
	case !repoName.MatchString(w.Repo):
		return fieldErr(at+".repo", "must be owner/name, got %q", w.Repo)
	case w.Workflow == "" || strings.Contains(w.Workflow, "/"):
		return fieldErr(at+".workflow", "name the workflow file under .github/workflows, e.g. deploy.yml")
	}
	return nil
}

func (w *DeployWebhook) validate(at string) error {
	switch {
	case !auditHTTPURL(w.URL):
		return fieldErr(at+".url", "%q is not an http(s) URL", w.URL)
	case !auditEnvNameRE.MatchString(w.SecretEnv):
		return fieldErr(at+".secret_env", "%q is not an environment variable name (the secret itself never goes in this file)", w.SecretEnv)
	case w.StatusURL != "" && !auditHTTPURL(strings.ReplaceAll(w.StatusURL, "{id}", "x")):
		return fieldErr(at+".status_url", "%q is not an http(s) URL", w.StatusURL)
	}
	return nil
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

// Confirm is the confirmation a deploy of service to env needs.
func (s DeployService) Confirm(env string) string {
	if m := s.Envs[env].Confirm; m != "" {
		return m
	}
	return ConfirmTOTP
}

// Frozen returns the freeze window t (in loc) falls in for env, if any.
func (c *Deploys) Frozen(t time.Time, loc *time.Location, env string) (FreezeWindow, bool) {
	t = t.In(loc)
	day, clock := weekdays[t.Weekday()], t.Format("15:04")
	for _, f := range c.Freeze {
		if len(f.Days) > 0 && !slices.ContainsFunc(f.Days, func(d string) bool { return strings.EqualFold(d, day) }) {
			continue
		}
		if len(f.Envs) > 0 && !slices.Contains(f.Envs, env) {
			continue
		}
		if clock >= f.From && clock < f.To {
			return f, true
		}
	}
	return FreezeWindow{}, false
}
