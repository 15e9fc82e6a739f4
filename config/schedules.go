package config

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedules is the `schedules:` section: when each job runs, the daily
// analysis and the health rules. The room each level posts to is
// slack.rooms.
//
//	schedules:
//	  jobs:
//	    daily-analysis: {cron: "0 7 * * *", timezone: Europe/Paris}
//	    health:         {cron: "@every 1m"}
//	  health:
//	    critical_paths: [/donate]
//	    rules:
//	      - {name: 5xx-ratio, warn: 0.05, page: 0.2}
type Schedules struct {
	// Jobs maps a job name to its schedule. Every job opsbot runs needs
	// one; the built-in jobs have defaults.
	Jobs map[string]JobSchedule `yaml:"jobs"`
	// LeaseTTL is how long a scheduler's lease lasts without renewal; a
	// second instance on the same ClickHouse stands by until it lapses.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	Report   Report        `yaml:"report"`
	Health   Health        `yaml:"health"`
	Stats    Stats         `yaml:"stats"`
}

// JobSchedule is when one job runs.
type JobSchedule struct {
	// Cron is a five-field cron spec or a descriptor (@daily, @every 1m).
	Cron string `yaml:"cron"`
	// Timezone the spec is read in (default: the top-level timezone).
	Timezone string `yaml:"timezone"`
	// Disabled keeps the job from running on schedule (run by hand still works).
	Disabled bool `yaml:"disabled"`
}

// Report tunes the daily log analysis.
type Report struct {
	// Top is the length of each top list (5).
	Top int `yaml:"top"`
	// Timezone of "yesterday" (default: the top-level timezone).
	Timezone string `yaml:"timezone"`
}

// Health tunes the health rules. The built-in rules ship enabled; Rules
// here override them by name (only the fields given) or add new ones.
type Health struct {
	// GroupWait holds the first notification of a storm this long so
	// that rules firing together post once.
	GroupWait time.Duration `yaml:"group_wait"`
	// Service is the pager service of rules that name none (web).
	Service string `yaml:"service"`
	// CriticalPaths each get a traffic-drop rule: zero traffic there is an
	// outage.
	CriticalPaths []string `yaml:"critical_paths"`
	// Dashboard is linked from every warning, when set.
	Dashboard string `yaml:"dashboard"`
	Rules     []Rule `yaml:"rules"`
}

// Rule is one health rule. Thresholds are per level; a rule fires at the
// highest level whose threshold its value crosses. Fields left out keep
// the built-in rule's value (durations and thresholds are pointers so that
// an explicit 0 overrides).
type Rule struct {
	Name string `yaml:"name"`
	// Query names a file in sql/queries (without .sql); it returns one row
	// whose column `value` is compared.
	Query string `yaml:"query"`
	// Fallback is the query used when Query's table does not exist (the
	// ingest manifest on an install without it).
	Fallback string            `yaml:"fallback"`
	Params   map[string]string `yaml:"params"`
	// Window is the look-back each evaluation queries ({from}..{to}).
	Window *time.Duration `yaml:"window"`
	// Compare is above (default) or below.
	Compare string   `yaml:"compare"`
	Warn    *float64 `yaml:"warn"`
	Page    *float64 `yaml:"page"`
	// For is how long the condition must hold before the rule fires.
	For *time.Duration `yaml:"for"`
	// KeepFiringFor keeps a firing rule firing this long after its
	// condition clears, against flapping.
	KeepFiringFor *time.Duration `yaml:"keep_firing_for"`
	// Repeat re-sends while it keeps firing.
	Repeat   *time.Duration `yaml:"repeat"`
	Service  string         `yaml:"service"`
	Summary  string         `yaml:"summary"` // "5xx ratio"
	Unit     string         `yaml:"unit"`    // %, s, min, x, requests
	Dig      string         `yaml:"dig"`     // opsbot command to dig further
	Link     string         `yaml:"link"`
	Disabled *bool          `yaml:"disabled"`
}

var ruleName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (c *Schedules) defaults() {
	c.Jobs = map[string]JobSchedule{
		"daily-analysis": {Cron: "0 7 * * *"},
		"health":         {Cron: "@every 1m"},
		"infra-audit":    {Cron: "0 8 * * *"},
		"ban-expiry":     {Cron: "@every 1m"},
		"audit-chain":    {Cron: "30 8 * * *"},
		"stats":          {Cron: "0 8 * * 1"},
	}
	c.LeaseTTL = 2 * time.Minute
	c.Report.Top = 5
	c.Health.GroupWait = 30 * time.Second
	c.Health.Service = "web"
	c.Health.CriticalPaths = []string{"/donate"}
}

// JobNames are the scheduled job names, sorted.
func (c *Schedules) JobNames() []string {
	names := make([]string, 0, len(c.Jobs))
	for n := range c.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CronSpec is the job's spec with its time zone, for cron.ParseStandard;
// def is the top-level time zone.
func (j JobSchedule) CronSpec(def string) string {
	tz := j.Timezone
	if tz == "" {
		tz = def
	}
	if tz == "" || strings.HasPrefix(j.Cron, "@every") {
		return j.Cron
	}
	return "CRON_TZ=" + tz + " " + j.Cron
}

func (c *Schedules) validate() error {
	for _, n := range c.JobNames() {
		if err := c.Jobs[n].validate("schedules.jobs." + n); err != nil {
			return err
		}
	}
	if c.LeaseTTL < 10*time.Second {
		return fieldErr("schedules.lease_ttl", "must be at least 10s, got %s", c.LeaseTTL)
	}
	if c.Report.Top < 1 || c.Report.Top > 50 {
		return fieldErr("schedules.report.top", "must be 1–50, got %d", c.Report.Top)
	}
	if err := validTZ("schedules.report.timezone", c.Report.Timezone); err != nil {
		return err
	}
	if err := c.Stats.validate(); err != nil {
		return err
	}
	return c.Health.validate()
}

func (j JobSchedule) validate(field string) error {
	if err := validTZ(field+".timezone", j.Timezone); err != nil {
		return err
	}
	if j.Cron == "" {
		return fieldErr(field+".cron", "needs a cron spec such as \"0 7 * * *\" or \"@every 1m\"")
	}
	if _, err := cron.ParseStandard(j.CronSpec("UTC")); err != nil {
		return fieldErr(field+".cron", "%q: %v", j.Cron, err)
	}
	return nil
}

func validTZ(field, tz string) error {
	if tz == "" {
		return nil
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fieldErr(field, "unknown time zone %q (use an IANA name such as UTC or Europe/Paris)", tz)
	}
	return nil
}

func (h *Health) validate() error {
	if h.GroupWait < 0 || h.GroupWait > 10*time.Minute {
		return fieldErr("schedules.health.group_wait", "must be 0–10m, got %s", h.GroupWait)
	}
	for i, p := range h.CriticalPaths {
		if !strings.HasPrefix(p, "/") {
			return fieldErr("schedules.health.critical_paths", "entry %d: %q must start with /", i+1, p)
		}
	}
	seen := map[string]bool{}
	for _, r := range h.Rules {
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.Name] {
			return fieldErr("schedules.health.rules."+r.Name, "defined twice")
		}
		seen[r.Name] = true
	}
	return nil
}

// Validate checks the fields a rule sets; missing ones come from the
// built-in rule of that name, or fail when the rules are assembled.
func (r Rule) Validate() error {
	f := "schedules.health.rules." + r.Name
	switch {
	case !ruleName.MatchString(r.Name):
		return fieldErr("schedules.health.rules", "rule name %q: use lowercase letters, digits, - and _", r.Name)
	case r.Compare != "" && r.Compare != "above" && r.Compare != "below":
		return fieldErr(f+".compare", "must be above or below, got %q", r.Compare)
	case negative(r.Window, r.For, r.KeepFiringFor, r.Repeat):
		return fieldErr(f, "durations (window, for, keep_firing_for, repeat) cannot be negative")
	case r.Query != "" && !ruleName.MatchString(r.Query):
		return fieldErr(f+".query", "%q is not a query name (a file in sql/queries, without .sql)", r.Query)
	}
	return nil
}

func negative(ds ...*time.Duration) bool {
	for _, d := range ds {
		if d != nil && *d < 0 {
			return true
		}
	}
	return false
}
