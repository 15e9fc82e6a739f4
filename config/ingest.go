package config

// Ingest is the `ingest:` section.
type Ingest struct{}

func (c *Ingest) defaults() {}

func (c *Ingest) validate() error { return nil }
