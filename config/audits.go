package config

// Audits is the `audits:` section.
type Audits struct{}

func (c *Audits) defaults() {}

func (c *Audits) validate() error { return nil }
