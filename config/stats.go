package config

// Stats tunes the general statistics about the organization: the weekly
// `stats` job (schedules.jobs.stats, Monday 08:00 by default) and `stats
// [WINDOW]` in chat. Which sections appear follows from what is
// configured: traffic and opsbot itself always, engineering with
// audits.github.orgs, infrastructure with audits.accounts.
//
//	schedules:
//	  stats: {top: 5, timezone: Europe/Paris, cost_explorer: false}
type Stats struct {
	// Top is the length of the countries list (default 5).
	Top int `yaml:"top"`
	// Timezone where a week starts, Monday 00:00 (default: the top-level
	// timezone).
	Timezone string `yaml:"timezone"`
	// CostExplorer adds the week's AWS cost by service to the
	// infrastructure section, from Cost Explorer through each account of
	// audits.accounts (its role, when set; a linked account is counted
	// once, so a management account may be listed beside its members).
	// Off by default: Cost Explorer calls are billed ($0.01 each, one per
	// account and page a week), and the role needs ce:GetCostAndUsage.
	// Off, the section says the cost was not read and why.
	CostExplorer bool `yaml:"cost_explorer"`
}

func (s *Stats) validate() error {
	if s.Top < 0 || s.Top > 50 {
		return fieldErr("schedules.stats.top", "must be 1–50 (0: the default, 5), got %d", s.Top)
	}
	return validTZ("schedules.stats.timezone", s.Timezone)
}
