package config

// Schedules is the `schedules:` section.
type Schedules struct{}

func (c *Schedules) defaults() {}

func (c *Schedules) validate() error { return nil }
