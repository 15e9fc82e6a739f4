package config

// Access is the `access:` section.
type Access struct{}

func (c *Access) defaults() {}

func (c *Access) validate() error { return nil }
