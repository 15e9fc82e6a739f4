package config

// Stats tunes the general statistics about the organization: the weekly
// `stats` job (schedules.jobs.stats, Monday 08:00 by default) and `stats
// [WINDOW]` in chat. Which sections appear follows from what is
// configured: traffic and opsbot itself always, engineering with
// audits.github.orgs, infrastructure with audits.accounts.
//
//	schedules:
//	  stats: {top: 5, timezone: Europe/Paris}
type Stats struct {
	// Top is the length of the countries list (default 5).
	Top int `yaml:"top"`
	// Timezone where a week starts, Monday 00:00 (default: the top-level
	// timezone).
	Timezone string `yaml:"timezone"`
}

func (s *Stats) validate() error {
	if s.Top < 0 || s.Top > 50 {
		return fieldErr("schedules.stats.top", "must be 1–50 (0: the default, 5), got %d", s.Top)
	}
	return validTZ("schedules.stats.timezone", s.Timezone)
}
