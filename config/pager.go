package config

import (
	"net/url"
	"regexp"
	"sort"
	"time"
)

// Pager is the `pager:` section: which pager wakes each service's on-call.
//
//	pager:
//	  services:
//	    web:    {provider: pagerduty, key_env: OPSBOT_PD_WEB}
//	    api:    {provider: opsgenie,  key_env: OPSBOT_OPSGENIE_KEY, url: https://api.eu.opsgenie.com}
//	    donate: {provider: webhook,   url: https://hooks.example.org/page, key_env: OPSBOT_HOOK_TOKEN}
//	  retry_for: 2m
//
// Keys never live here: key_env names the environment variable that holds
// the PagerDuty routing key, the Opsgenie API key or the webhook's bearer
// token.
type Pager struct {
	Services map[string]PagerService `yaml:"services"`
	// RetryFor bounds how long a page is retried (429, 5xx, network
	// errors) before opsbot falls back to an @here in the alerts room.
	RetryFor time.Duration `yaml:"retry_for"`
}

// PagerService is one service's pager.
type PagerService struct {
	// Provider is pagerduty, opsgenie or webhook.
	Provider string `yaml:"provider"`
	// KeyEnv names the variable holding the routing key (PagerDuty), the
	// API key (Opsgenie) or an optional bearer token (webhook).
	KeyEnv string `yaml:"key_env"`
	// URL overrides the API base (https://events.pagerduty.com,
	// https://api.opsgenie.com); for webhook it is the endpoint itself.
	URL string `yaml:"url"`
}

// Pager providers.
const (
	ProviderPagerDuty = "pagerduty"
	ProviderOpsgenie  = "opsgenie"
	ProviderWebhook   = "webhook"
)

var (
	serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	envName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

func (c *Pager) defaults() {
	c.Services = map[string]PagerService{}
	c.RetryFor = 2 * time.Minute
}

// ServiceNames are the configured services, sorted.
func (c *Pager) ServiceNames() []string {
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *Pager) validate() error {
	if c.RetryFor <= 0 {
		return fieldErr("pager.retry_for", "must be positive, got %s", c.RetryFor)
	}
	for _, name := range c.ServiceNames() {
		if err := c.Services[name].validate("pager.services." + name); err != nil {
			return err
		}
		if !serviceName.MatchString(name) {
			return fieldErr("pager.services."+name, "service names are lowercase letters, digits, - and _")
		}
	}
	return nil
}

func (s PagerService) validate(field string) error {
	switch s.Provider {
	case ProviderPagerDuty, ProviderOpsgenie:
		if s.KeyEnv == "" {
			return fieldErr(field+".key_env", "%s needs the name of the environment variable holding its key", s.Provider)
		}
	case ProviderWebhook:
		if s.URL == "" {
			return fieldErr(field+".url", "a webhook needs its URL")
		}
	default:
		return fieldErr(field+".provider", "unknown provider %q (use pagerduty, opsgenie or webhook)", s.Provider)
	}
	if s.KeyEnv != "" && !envName.MatchString(s.KeyEnv) {
		return fieldErr(field+".key_env", "must name an environment variable (letters, digits, _); the key itself belongs in that variable, never in this file")
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr(field+".url", "%q is not an http(s) URL", s.URL)
		}
	}
	return nil
}
