package main

import (
	"context"

	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/warehouse"
)

// infraParts are the infrastructure audits' skill and daily job.
type infraParts struct {
	skills []bot.Skill
	jobs   []schedules.Job
}

func newInfra(ctx context.Context, g *globals, w warehouse.Warehouse) (*infraParts, error) {
	return &infraParts{}, nil
}
