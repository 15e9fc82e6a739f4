package config

// Slack is the `slack:` section.
type Slack struct{}

func (c *Slack) defaults() {}

func (c *Slack) validate() error { return nil }
