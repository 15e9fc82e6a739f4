package config

import "time"

// Query is the `query:` section: limits for the chat phrases and named
// queries. Windows like "today" use the top-level `timezone`.
type Query struct {
	// MaxRows caps every answer's rows (default 1000); "top N" is capped to it.
	MaxRows int `yaml:"max_rows"`
	// Timeout caps every query's run time (default 30s).
	Timeout time.Duration `yaml:"timeout"`
	// DefaultLimit is N when a phrase says "top" without a number (default 10).
	DefaultLimit int `yaml:"default_limit"`
	// SlowSeconds is what "slow" means: requests taking at least this long
	// (default 1s).
	SlowSeconds float64 `yaml:"slow_seconds"`
}

func (c *Query) defaults() {
	c.MaxRows, c.Timeout, c.DefaultLimit, c.SlowSeconds = 1000, 30*time.Second, 10, 1
}

func (c *Query) validate() error {
	switch {
	case c.MaxRows < 1 || c.MaxRows > 1_000_000:
		return fieldErr("query.max_rows", "must be between 1 and 1000000, got %d", c.MaxRows)
	case c.Timeout < time.Second:
		return fieldErr("query.timeout", "must be at least 1s, got %s", c.Timeout)
	case c.DefaultLimit < 1 || c.DefaultLimit > c.MaxRows:
		return fieldErr("query.default_limit", "must be between 1 and query.max_rows (%d), got %d", c.MaxRows, c.DefaultLimit)
	case c.SlowSeconds <= 0:
		return fieldErr("query.slow_seconds", "must be above 0, got %g", c.SlowSeconds)
	}
	return nil
}
