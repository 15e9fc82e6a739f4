package schedules

import (
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/schedules/stats"
)

// orgStats is the organization statistics: weeks in
// schedules.stats.timezone (default: the top-level one), engineering and
// infrastructure sections when the audits look at GitHub and AWS (their
// readers come in Options, built where config becomes parts).
func (s *Scheduler) orgStats() *stats.Stats {
	c := s.o.Config
	loc := c.Location()
	if tz := c.Schedules.Stats.Timezone; tz != "" {
		loc, _ = time.LoadLocation(tz) // validated with the config
	}
	return stats.New(stats.Options{Warehouse: s.o.Warehouse, Location: loc, Top: c.Schedules.Stats.Top,
		GitHub: len(c.Audits.GitHub.Orgs) > 0, AWS: len(c.Audits.Accounts) > 0,
		Activity: s.o.Activity, Inventory: s.o.Inventory, Costs: s.o.Costs})
}

// StatsSkill is `stats [WINDOW]` in chat.
func (s *Scheduler) StatsSkill() opsbot.Skill { return s.orgStats().Skill() }
