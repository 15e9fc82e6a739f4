package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/cloudflare"
	"github.com/opsbot/opsbot/edge/fastly"
	"github.com/opsbot/opsbot/edge/waf"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/ingest/edgelog"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/pager"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/schedules/stats"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/web"
)

// wire.go is the one place that turns config into parts: every package
// takes its own Options, and only the functions here read config to fill
// them.

// stack is every part of opsbot wired on one warehouse: what serve runs,
// what the terminal chat talks to, what `schedules` lists and runs.
type stack struct {
	engine *query.Engine
	asker  hinted // the engine for `ask` through the folder's socket
	wired  *actions.Wired
	pager  *pager.Router
	sched  *schedules.Scheduler
	infra  *infra.Auditor
	feeds  *feedsPart
	bot    *bot.Bot
	web    *web.Server // serve's pages (web.go); nil when off
}

// wire builds the stack. poster may be nil (no Slack): notices and audit
// posts then go nowhere but the tables and the log. app, when serve talks
// to Slack, enforces the slack.channels allow-list and names the bot.
func wire(ctx context.Context, g *globals, w warehouse.Warehouse, poster opsbot.Poster, app *slack.App) (*stack, error) {
	s := &stack{engine: query.New(w, queryOptions(g.cfg)), pager: pagerRouter(g.cfg.Pager, os.Getenv)}
	var err error
	if s.wired, err = wireActions(ctx, g, w, poster, s); err != nil {
		return nil, err
	}
	src := auditSources(g.cfg.Audits, os.Getenv)
	s.infra = infra.New(src.list(), w, infra.Options{InstancesWindow: g.cfg.Audits.InstancesWindow})
	jobs := []schedules.Job{s.wired.Expiry, s.wired.Audit.Job(), s.infra.Job()}
	s.sched, err = schedules.New(schedules.Options{
		Config: g.cfg, Warehouse: w, Poster: poster, Pager: s.pager, Jobs: jobs, Log: slog.Default(),
		Activity: src.activity(), Inventory: src.inventory(), Costs: src.costs(g.cfg.Schedules.Stats),
		TopClients: s.engine,
	})
	if err != nil {
		return nil, err
	}
	s.asker = hinted{s.engine, w, g.dataWhere()}
	skills := append([]opsbot.Skill{emptyAware{s.engine.Skill(), s.asker}, s.sched.Skill(), s.sched.StatsSkill()}, s.wired.Skills...)
	skills = append(skills, s.infra.Skill())
	if s.feeds, err = wireFeeds(g.cfg, w, poster, s.wired.Audit, os.Getenv); err != nil {
		return nil, err
	}
	skills = append(skills, s.feeds.hub.Skill(s.wired.Roles))
	bo := bot.Options{Authorizer: s.wired.Roles, Auditor: s.wired.Audit, Suggester: s.engine}
	if app != nil {
		bo.Place, bo.BotUserID = app.Place, app.BotUserID()
	}
	s.bot = bot.New(bo, skills...)
	return s, nil
}

// wireActions builds roles, the audit log and the write commands.
func wireActions(ctx context.Context, g *globals, w warehouse.Warehouse, poster opsbot.Poster, s *stack) (*actions.Wired, error) {
	edges, err := edgesFrom(ctx, g.cfg.Edges, os.Getenv)
	if err != nil {
		return nil, err
	}
	cfg := withLocalReader(g.cfg)
	return actions.Wire(ctx, actions.Deps{
		Config: cfg, Warehouse: w, Poster: poster, Pager: s.pager, Getenv: os.Getenv, Edges: edges, ConfirmPage: confirmPage(g.cfg.Web),
		Hits: func(ctx context.Context, ip string) (*opsbot.Reply, error) {
			return s.engine.Ask(ctx, "hits "+ip+" last 24h", time.Now())
		},
	})
}

// queryOptions reads the time zone and the query: section.
func queryOptions(c *config.Config) query.Options {
	return query.Options{
		Location:     c.Location(),
		MaxRows:      c.Query.MaxRows,
		Timeout:      c.Query.Timeout,
		DefaultLimit: c.Query.DefaultLimit,
		SlowSeconds:  c.Query.SlowSeconds,
		Chat:         chatWords(),
	}
}

// slackOptions reads the slack: section; the tokens come from FromEnv.
func slackOptions(c config.Slack) slack.Options {
	return slack.Options{APIURL: c.APIURL, TopLevel: !c.ReplyInThread, BotUserID: c.BotUserID, TeamIDs: c.TeamID,
		EnterpriseID: c.EnterpriseID, AppID: c.AppID, Channels: c.Channels, Pace: c.Pace, Progress: c.Progress}
}

// ingestOptions reads the tuning of the ingest: section.
func ingestOptions(c config.Ingest, retentionDays int) ingest.Options {
	o := ingest.Options{Interval: c.Interval, Lookback: c.Lookback, Workers: c.Workers, BatchRows: c.BatchRows,
		InsertRows: c.InsertRows, RequestIDs: c.RequestIDs, MaxLineBytes: c.MaxLineBytes, MaxExpansion: c.MaxExpansion,
		MaxRejectLines: c.MaxRejectLines, MaxAttempts: c.MaxAttempts, Backoff: c.RetryBackoff,
		Visibility: c.VisibilityTimeout, RetentionDays: retentionDays, Format: edgelog.Format(c.Format)}
	if c.InsertRows == 0 {
		o.InsertRows = -1 // the config's 0 turns pooling off
	}
	if c.MaxRejectLines == 0 {
		o.MaxRejectLines = -1 // the config's 0 stores none
	}
	return o
}

// infraAuditor builds the audits from the audits: section (AWS credentials
// from the SDK's default chain, the GitHub token from
// audits.github.token_env through getenv), recording to w (nil: no history).
func infraAuditor(c config.Audits, w warehouse.Warehouse, getenv func(string) string) *infra.Auditor {
	return infra.New(auditSources(c, getenv).list(), w, infra.Options{InstancesWindow: c.InstancesWindow})
}

// sources are the AWS accounts and GitHub organizations the audits: section
// names, read by the infra audit and the weekly statistics alike.
type sources struct {
	aws    *aws.Accounts
	github *github.Orgs
}

func auditSources(c config.Audits, getenv func(string) string) sources {
	var s sources
	if len(c.Accounts) > 0 {
		s.aws = aws.New(awsOptions(c))
	}
	if len(c.GitHub.Orgs) > 0 {
		s.github = github.New(github.Options{Orgs: c.GitHub.Orgs, Token: getenv(c.GitHub.TokenEnv),
			TokenEnv: c.GitHub.TokenEnv, BaseURL: c.GitHub.BaseURL})
	}
	return s
}

func (s sources) list() []infra.Source {
	var out []infra.Source
	if s.aws != nil {
		out = append(out, s.aws)
	}
	if s.github != nil {
		out = append(out, s.github)
	}
	return out
}

// activity and inventory are nil interfaces, not typed nils, when unset.
func (s sources) activity() stats.Activity {
	if s.github == nil {
		return nil
	}
	return s.github
}

func (s sources) inventory() stats.Inventory {
	if s.aws == nil {
		return nil
	}
	return s.aws
}

// costs reads Cost Explorer through the audited accounts, only when
// schedules.stats.cost_explorer is on: its calls are billed.
func (s sources) costs(c config.Stats) stats.Costs {
	if s.aws == nil || !c.CostExplorer {
		return nil
	}
	return s.aws
}

// awsOptions maps the audits: section onto the AWS audit's options.
func awsOptions(c config.Audits) aws.Options {
	o := aws.Options{PublicPorts: c.PublicPorts, ExpectedLoadBalancers: c.ExpectedLoadBalancers,
		OwnerTags: c.OwnerTags, MaxAttempts: c.MaxAttempts, Parallel: c.Parallel,
		AccessKeyMaxAge: time.Duration(c.AccessKeyMaxAgeDays) * 24 * time.Hour}
	for _, a := range c.Accounts {
		o.Accounts = append(o.Accounts, aws.Account{Name: a.Name, RoleARN: a.RoleARN, ExternalID: a.ExternalID,
			Profile: a.Profile, Regions: a.Regions, Endpoint: a.Endpoint})
	}
	return o
}

// edgesFrom builds the edges of the edges: section. Tokens come from the
// variables it names (getenv); an edge whose variable is unset is left out
// with a warning, so that the rest keeps working. AWS credentials come
// from the default chain.
func edgesFrom(ctx context.Context, c config.Edges, getenv func(string) string) ([]actions.Edge, error) {
	out, err := wafEdges(ctx, c.WAF)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, f := range c.Fastly {
		if tok := edgeToken(f.Name, f.TokenEnv, "edges.fastly", getenv); tok != "" {
			out = append(out, fastly.New(fastly.Options{Name: f.Name, ServiceID: f.ServiceID, ACLID: f.ACLID, Token: tok, Endpoint: f.Endpoint, HTTP: client}))
		}
	}
	for _, cf := range c.Cloudflare {
		if tok := edgeToken(cf.Name, cf.TokenEnv, "edges.cloudflare", getenv); tok != "" {
			out = append(out, cloudflare.New(cloudflare.Options{Name: cf.Name, AccountID: cf.AccountID, ListID: cf.ListID, Token: tok, Endpoint: cf.Endpoint, HTTP: client}))
		}
	}
	return out, nil
}

func wafEdges(ctx context.Context, c []config.WAFEdge) ([]actions.Edge, error) {
	var out []actions.Edge
	for _, w := range c {
		region := w.Region
		if region == "" {
			region = "us-east-1"
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("edge %s: aws config: %w", w.Name, err)
		}
		out = append(out, waf.New(waf.NewClient(cfg, region, w.Endpoint), waf.Options{
			Name: w.Name, Scope: types.Scope(w.Scope),
			IPv4: waf.Set{Name: w.IPv4.Name, ID: w.IPv4.ID}, IPv6: waf.Set{Name: w.IPv6.Name, ID: w.IPv6.ID},
		}))
	}
	return out, nil
}

// edgeToken reads an edge's token; unset, the edge is disabled and a
// warning says which variable enables it.
func edgeToken(name, env, field string, getenv func(string) string) string {
	tok := getenv(env)
	if tok == "" {
		slog.Warn("edge disabled: its token variable is not set", "edge", name, "set", env, "field", field+".token_env")
	}
	return tok
}

// pagerRouter builds the pager of the pager: section. Keys come from the
// variables it names (getenv); a service whose variable is unset is
// disabled with a warning: `page` refuses it, naming the variable.
func pagerRouter(c config.Pager, getenv func(string) string) *pager.Router {
	services := map[string]pager.Service{}
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		ps := pager.Service{Provider: s.Provider, URL: s.URL, KeyEnv: s.KeyEnv}
		if s.KeyEnv != "" {
			ps.Key = getenv(s.KeyEnv)
		}
		services[name] = ps
	}
	r := pager.New(services, pager.Options{RetryFor: c.RetryFor})
	for _, name := range r.Services() {
		if err := r.Disabled(name); err != nil {
			slog.Warn("pager service disabled", "service", name, "why", opsbot.ErrorText(err))
		}
	}
	return r
}

// withLocalReader is c with the reader role for local:<user> of the OS
// user who owns the embedded data folder: that user can read its files
// anyway. Analysts and operators stay explicit, and a ClickHouse server
// gives nobody a role by default.
func withLocalReader(c *config.Config) *config.Config {
	uid, ok := folderOwner(c)
	if !ok {
		return c
	}
	cc := *c
	cc.Access.Readers.Users = append(slices.Clone(c.Access.Readers.Users), ipc.Local(uid).ID)
	return &cc
}

// folderOwner is the uid owning the embedded engine's data folder.
func folderOwner(c *config.Config) (int, bool) {
	if c.ClickHouse != "" {
		return 0, false
	}
	st, err := os.Stat(c.Data)
	if err != nil {
		return 0, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(sys.Uid), true
}
