package config

// Query is the `query:` section.
type Query struct{}

func (c *Query) defaults() {}

func (c *Query) validate() error { return nil }
