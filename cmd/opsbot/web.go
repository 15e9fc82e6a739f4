package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/web"
	"github.com/opsbot/opsbot/web/source"
)

// webPages builds the pages of the web: section for serve, or nil when it
// is off. A secret missing from the environment is an error naming its
// variable: half a sign-in is worse than none.
func webPages(ctx context.Context, g *globals, w warehouse.Warehouse, s *stack, getenv func(string) string) (*web.Server, error) {
	c := g.cfg.Web
	if !c.On() {
		return nil, nil
	}
	o, err := webOptions(c, getenv)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	o.HTTP, o.Log = client, slog.Default()
	o.Directory = web.NewSlackDirectory(getenv("SLACK_BOT_TOKEN"), g.cfg.Slack.APIURL, client)
	o.Roles, o.Confirmations, o.Bot, o.Audit = s.wired.Roles, s.wired.Skill.Confirmations(), s.bot, s.wired.Audit
	loc := g.cfg.Location()
	if tz := g.cfg.Schedules.Report.Timezone; tz != "" {
		loc, _ = time.LoadLocation(tz) // validated by config
	}
	o.Source = source.New(source.Options{Engine: s.engine, Warehouse: w, Location: loc, Top: g.cfg.Schedules.Report.Top})
	return web.New(ctx, o)
}

// webOptions reads the web: section and its secrets.
func webOptions(c config.Web, getenv func(string) string) (web.Options, error) {
	o := web.Options{BaseURL: c.BaseURL, Issuer: c.OIDC.Issuer, ClientID: c.OIDC.ClientID,
		ClientSecret: getenv(c.OIDC.ClientSecretEnv), AllowedDomain: c.OIDC.AllowedDomain, Session: c.Session}
	if o.ClientSecret == "" {
		return o, fmt.Errorf("web: set %s to the OIDC client secret (web.oidc.client_secret_env), or remove web.base_url to turn the pages off", c.OIDC.ClientSecretEnv)
	}
	if getenv("SLACK_BOT_TOKEN") == "" {
		return o, fmt.Errorf("web: sign-in maps emails to Slack users: set SLACK_BOT_TOKEN, or remove web.base_url to turn the pages off")
	}
	o.SessionKey = web.NewSessionKey()
	if k := getenv(c.SessionKeyEnv); k != "" {
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(b) < 32 {
			return o, fmt.Errorf("web: %s must hold a base64 key of at least 32 bytes (openssl rand -base64 32)", c.SessionKeyEnv)
		}
		o.SessionKey = b
	} else {
		slog.Warn("web: session key variable not set; sign-ins end when opsbot restarts", "set", c.SessionKeyEnv)
	}
	return o, nil
}

// confirmPage links oidc confirmations to their page (nil when web is off).
func confirmPage(c config.Web) func(string) string {
	if !c.On() {
		return nil
	}
	return func(id string) string { return web.ConfirmURL(c.BaseURL, id) }
}

// mountWeb serves the pages beside /healthz and /metrics.
func mountWeb(mux *http.ServeMux, pages *web.Server) {
	if pages == nil {
		return
	}
	h := pages.Handler()
	for _, p := range web.Paths {
		mux.Handle(p, h)
	}
}
