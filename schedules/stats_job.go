package schedules

import (
	"os"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/aws"
	"github.com/opsbot/opsbot/infra/github"
	"github.com/opsbot/opsbot/infra/setup"
	"github.com/opsbot/opsbot/schedules/stats"
)

// orgStats is the organization statistics from config: weeks in
// schedules.stats.timezone (default: the top-level one), engineering and
// infrastructure sections when the audits look at GitHub and AWS (the
// GitHub token from audits.github.token_env, read when the job is built).
func (s *Scheduler) orgStats() *stats.Stats {
	c := s.o.Config
	loc := c.Location()
	if tz := c.Schedules.Stats.Timezone; tz != "" {
		loc, _ = time.LoadLocation(tz) // validated with the config
	}
	o := stats.Options{Warehouse: s.o.Warehouse, Location: loc, Top: c.Schedules.Stats.Top,
		GitHub: len(c.Audits.GitHub.Orgs) > 0, AWS: len(c.Audits.Accounts) > 0}
	if gh := c.Audits.GitHub; len(gh.Orgs) > 0 {
		o.Activity = github.New(github.Options{Orgs: gh.Orgs, Token: os.Getenv(gh.TokenEnv), TokenEnv: gh.TokenEnv, BaseURL: gh.BaseURL})
	}
	if len(c.Audits.Accounts) > 0 {
		o.Inventory = aws.New(setup.AWSOptions(c.Audits))
	}
	return stats.New(o)
}

// StatsSkill is `stats [WINDOW]` in chat.
func (s *Scheduler) StatsSkill() opsbot.Skill { return s.orgStats().Skill() }
