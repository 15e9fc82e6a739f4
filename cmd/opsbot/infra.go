package main

import (
	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/infra/setup"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/warehouse"
)

// infraParts are the infrastructure audits' skill and daily job.
type infraParts struct {
	skills []opsbot.Skill
	jobs   []schedules.Job
}

// newInfra builds the audits from the audits: section (AWS credentials from
// the SDK's default chain, the GitHub token from audits.github.token_env).
func newInfra(g *globals, w warehouse.Warehouse) *infraParts {
	a := setup.New(g.cfg.Audits, w)
	return &infraParts{skills: []opsbot.Skill{a.Skill()}, jobs: []schedules.Job{a.Job()}}
}
