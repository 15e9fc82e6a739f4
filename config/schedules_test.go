package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSchedulesAndPagerDefaults(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s := c.Schedules
	if s.Jobs["daily-analysis"].Cron != "0 7 * * *" || s.Jobs["health"].Cron != "@every 1m" || s.LeaseTTL != 2*time.Minute ||
		s.Health.GroupWait != 30*time.Second || s.Health.CriticalPaths[0] != "/donate" || c.Pager.RetryFor != 2*time.Minute {
		t.Errorf("defaults = %+v %+v", s, c.Pager)
	}
	if s.Jobs["audit-chain"].Cron != "30 8 * * *" {
		t.Errorf("audit-chain runs daily by default, got %q", s.Jobs["audit-chain"].Cron)
	}
	if got := s.Jobs["daily-analysis"].CronSpec("Europe/Paris"); got != "CRON_TZ=Europe/Paris 0 7 * * *" {
		t.Errorf("cron spec %q", got)
	}
}

func TestSchedulesGood(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "schedules_good.yaml"), true)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Schedules
	if got := s.Jobs["daily-analysis"].CronSpec(c.Timezone); got != "CRON_TZ=America/New_York 30 6 * * 1-5" {
		t.Errorf("daily-analysis spec %q", got)
	}
	if got := s.Jobs["health"].CronSpec(c.Timezone); got != "@every 30s" {
		t.Errorf("health spec %q", got)
	}
	if !s.Jobs["infra-audit"].Disabled || s.Jobs["ban-expiry"].Cron != "@every 1m" || s.Report.Top != 8 || len(s.Health.Rules) != 2 ||
		*s.Health.Rules[0].Page != 0.2 || *s.Health.Rules[0].For != 2*time.Minute || s.Health.Rules[0].Repeat != nil || s.Health.Rules[1].Params["host"] != "shop.example.org" {
		t.Errorf("loaded = %+v", s)
	}
	if strings.Join(c.Pager.ServiceNames(), ",") != "hook,shop,www" || c.Pager.Services["shop"].URL != "https://api.eu.opsgenie.com" {
		t.Errorf("pager = %+v", c.Pager)
	}
}

func TestSchedulesAndPagerBad(t *testing.T) {
	for file, want := range map[string]string{
		"schedules/bad_cron.yaml":        `schedules.jobs.health.cron: "every minute":`,
		"schedules/bad_timezone.yaml":    `schedules.jobs.health.timezone: unknown time zone "Mars/Olympus"`,
		"schedules/no_cron.yaml":         `schedules.jobs.health.cron: needs a cron spec`,
		"schedules/short_lease.yaml":     `schedules.lease_ttl: must be at least 10s, got 1s`,
		"schedules/bad_top.yaml":         `schedules.report.top: must be 1–50, got 0`,
		"schedules/long_group_wait.yaml": `schedules.health.group_wait: must be 0–10m, got 1h0m0s`,
		"schedules/bad_path.yaml":        `schedules.health.critical_paths: entry 1: "donate" must start with /`,
		"schedules/bad_rule_name.yaml":   `schedules.health.rules: rule name "5XX Ratio": use lowercase letters`,
		"schedules/bad_compare.yaml":     `schedules.health.rules.p95-latency.compare: must be above or below, got "over"`,
		"schedules/negative_for.yaml":    `schedules.health.rules.p95-latency: durations (window, for, keep_firing_for, repeat) cannot be negative`,
		"schedules/twice.yaml":           `schedules.health.rules.a: defined twice`,
		"schedules/bad_query.yaml":       `schedules.health.rules.a.query: "../etc/passwd" is not a query name`,
		"schedules/unknown_key.yaml":     "schedules.health.rulez: unknown key (did you mean rules?); schedules.health allows group_wait, service, critical_paths, dashboard, rules",
		"pager/bad_provider.yaml":        `pager.services.web.provider: unknown provider "victorops" (use pagerduty, opsgenie or webhook)`,
		"pager/no_key_env.yaml":          `pager.services.web.key_env: pagerduty needs the name of the environment variable holding its key`,
		"pager/key_in_file.yaml":         `pager.services.web.key_env: must name an environment variable (letters, digits, _); the key itself`,
		"pager/webhook_no_url.yaml":      `pager.services.web.url: a webhook needs its URL`,
		"pager/bad_url.yaml":             `pager.services.web.url: "api.opsgenie.com" is not an http(s) URL`,
		"pager/bad_service_name.yaml":    `pager.services.Web: service names are lowercase letters, digits, - and _`,
		"pager/no_retry.yaml":            `pager.retry_for: must be positive, got 0s`,
	} {
		_, err := Load(filepath.Join("testdata", file), true)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to contain %q", file, err, want)
		}
	}
}
