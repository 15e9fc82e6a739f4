package config

// Pager is the `pager:` section.
type Pager struct{}

func (c *Pager) defaults() {}

func (c *Pager) validate() error { return nil }
