package main

import (
	"context"
	"fmt"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse"
)

// emptyAware is the query skill saying, when an answer has no rows
// because the requests table holds none, that it is empty and how to fill
// it: a wrong or missing --data opens an empty database, whose "No
// matching requests" would mislead.
type emptyAware struct {
	opsbot.Skill
	h hinted
}

func (e emptyAware) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	r, err := e.Skill.Handle(ctx, req)
	if err == nil && noRows(r) {
		if hint := emptyHint(ctx, e.h.w, e.h.where); hint != "" {
			r.Text = hint
		}
	}
	return r, err
}

// hinted is the query engine as `opsbot ask` and the folder's socket use
// it, with the same word on an empty requests table.
type hinted struct {
	*query.Engine
	w     warehouse.Warehouse
	where string // the data folder, or the ClickHouse server
}

func (h hinted) Ask(ctx context.Context, phrase string, now time.Time) (*opsbot.Reply, error) {
	r, err := h.Engine.Ask(ctx, phrase, now)
	if err == nil && noRows(r) {
		if hint := emptyHint(ctx, h.w, h.where); hint != "" {
			r.Text = hint
		}
	}
	return r, err
}

func noRows(r *opsbot.Reply) bool { return r != nil && r.Table != nil && len(r.Table.Rows) == 0 }

// emptyHint is what to say when the requests table is empty; "" when it
// holds rows (or cannot be counted: the answer stands as it is).
func emptyHint(ctx context.Context, w warehouse.Warehouse, where string) string {
	res, err := w.Query(ctx, "SELECT count() FROM requests", nil)
	if err != nil || len(res.Rows) != 1 || fmt.Sprint(res.Rows[0][0]) != "0" {
		return ""
	}
	return fmt.Sprintf("The requests table in %s is empty: nothing has been ingested there. "+
		"Load your logs with `opsbot ingest --from s3://BUCKET/PREFIX` (or sqs://QUEUE_URL, or a folder), "+
		"or, after `make demo`, ask the demo's data with `opsbot --data .demo/data chat`.", where)
}

// dataWhere names where the data is, for people.
func (g *globals) dataWhere() string {
	if g.cfg.ClickHouse != "" {
		return "the ClickHouse server"
	}
	return g.cfg.Data
}
