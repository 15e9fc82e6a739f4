package config

// Edges is the `edges:` section.
type Edges struct{}

func (c *Edges) defaults() {}

func (c *Edges) validate() error { return nil }
