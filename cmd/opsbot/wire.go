package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/pager"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/warehouse"
)

// stack is every part of opsbot wired on one warehouse: what serve runs,
// what the terminal chat talks to, what `schedules` lists and runs.
type stack struct {
	engine *query.Engine
	wired  *actions.Wired
	pager  *pager.Router
	sched  *schedules.Scheduler
	infra  *infraParts
	bot    *bot.Bot
}

// wire builds the stack. poster may be nil (no Slack): notices and audit
// posts then go nowhere but the tables and the log. app, when serve talks
// to Slack, enforces the slack.channels allow-list and names the bot.
func wire(ctx context.Context, g *globals, w warehouse.Warehouse, poster opsbot.Poster, app *slack.App) (*stack, error) {
	s := &stack{engine: query.New(w, query.OptionsFrom(g.cfg))}
	var err error
	if s.pager, err = pager.New(g.cfg.Pager, pager.Options{Getenv: os.Getenv}); err != nil {
		return nil, fmt.Errorf("pager: %w", err)
	}
	s.wired, err = actions.Wire(ctx, actions.Deps{
		Config: g.cfg, Warehouse: w, Poster: poster, Pager: s.pager, Getenv: os.Getenv,
		Hits: func(ctx context.Context, ip string) (*opsbot.Reply, error) {
			return s.engine.Ask(ctx, "hits "+ip+" last 24h", time.Now())
		},
	})
	if err != nil {
		return nil, err
	}
	s.infra = newInfra(g, w)
	jobs := append([]schedules.Job{s.wired.Expiry, s.wired.Audit.Job()}, s.infra.jobs...)
	s.sched, err = schedules.New(schedules.Options{
		Config: g.cfg, Warehouse: w, Poster: poster, Pager: s.pager, Jobs: jobs, Log: slog.Default(),
	})
	if err != nil {
		return nil, err
	}
	skills := append([]opsbot.Skill{s.engine.Skill(), s.sched.Skill(), s.sched.StatsSkill()}, s.wired.Skills...)
	skills = append(skills, s.infra.skills...)
	bo := bot.Options{Authorizer: s.wired.Roles, Auditor: s.wired.Audit, Suggester: s.engine}
	if app != nil {
		bo.Place, bo.BotUserID = app.Place, app.BotUserID()
	}
	s.bot = bot.New(bo, skills...)
	return s, nil
}
