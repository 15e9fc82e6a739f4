// Package config reads opsbot.yaml: defaults first, then a strict decode
// (an unknown key is an error naming it), then Validate, whose errors name
// the field and what it allows. Secrets never live here: they come from the
// environment (SLACK_BOT_TOKEN, pager keys …), and config only names which
// variable holds them where a choice is needed.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole of opsbot.yaml. Each section lives in its own file.
type Config struct {
	// Data is the embedded engine's data folder (default: a per-user folder).
	Data string `yaml:"data"`
	// ClickHouse is a server DSN (clickhouse://user@host:9000/opsbot?secure=true);
	// when set, the embedded engine is not used. The password comes from
	// OPSBOT_CLICKHOUSE_PASSWORD, never from this file.
	ClickHouse string `yaml:"clickhouse"`
	// Timezone for windows like "today" and for schedules (default UTC).
	Timezone string `yaml:"timezone"`
	// RetentionDays keeps this many days of requests (TTL).
	RetentionDays int `yaml:"retention_days"`

	Ingest    Ingest    `yaml:"ingest"`
	Query     Query     `yaml:"query"`
	Slack     Slack     `yaml:"slack"`
	Schedules Schedules `yaml:"schedules"`
	Pager     Pager     `yaml:"pager"`
	Edges     Edges     `yaml:"edges"`
	Access    Access    `yaml:"access"`
	Audits    Audits    `yaml:"audits"`
	Redirects Redirects `yaml:"redirects"`
	Deploys   Deploys   `yaml:"deploys"`
	Web       Web       `yaml:"web"`
	Feeds     Feeds     `yaml:"feeds"`
}

// Default is the configuration with nothing set.
func Default() *Config {
	c := &Config{Timezone: "UTC", RetentionDays: 90}
	c.Ingest.defaults()
	c.Query.defaults()
	c.Slack.defaults()
	c.Schedules.defaults()
	c.Pager.defaults()
	c.Edges.defaults()
	c.Access.defaults()
	c.Audits.defaults()
	c.Deploys.defaults()
	c.Web.defaults()
	c.Feeds.defaults()
	return c
}

// Load reads path over the defaults and validates. A missing path is an
// error only when required; otherwise the defaults stand.
func Load(path string, required bool) (*Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return c, c.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := Decode(b, c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Decode reads YAML into c strictly: an unknown key is an error naming its
// full path and the keys its section allows, a value of the wrong form one
// naming the form (a duration: 30s, 5m, 2h).
func Decode(b []byte, c *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return err
	}
	if err := checkKeys(&root, reflect.TypeOf(c), ""); err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Location is the configured time zone.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate checks every section; the error names the field.
func (c *Config) Validate() error {
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fieldErr("timezone", "unknown time zone %q (use an IANA name such as UTC or Europe/Paris)", c.Timezone)
	}
	if c.RetentionDays < 1 {
		return fieldErr("retention_days", "must be at least 1, got %d", c.RetentionDays)
	}
	for _, v := range []interface{ validate() error }{
		&c.Ingest, &c.Query, &c.Slack, &c.Schedules, &c.Pager, &c.Edges, &c.Access, &c.Audits, &c.Deploys,
		&c.Feeds,
	} {
		if err := v.validate(); err != nil {
			return err
		}
	}
	if c.Schedules.Stats.CostExplorer && len(c.Audits.Accounts) == 0 {
		return fieldErr("schedules.stats.cost_explorer", "reads Cost Explorer through audits.accounts, and none is configured")
	}
	if err := c.Web.validate(c.Access); err != nil {
		return err
	}
	return c.Redirects.validate(map[string]bool{})
}

// FieldError names the field that is wrong (and its line, when known).
type FieldError struct {
	Field string
	Msg   string
	Line  int // 0: not known (a value checked after decoding)
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return e.Field + ": " + e.Msg
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}
