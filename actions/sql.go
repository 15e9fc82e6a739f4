package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/sql/guard"
	"github.com/opsbot/opsbot/warehouse"
)

// SQL answers `sql SELECT …` for analysts. The statement is judged by
// guard on ClickHouse's own syntax tree; what runs is the engine's
// canonical form of it, under the engine's limits (readonly, time, memory,
// result rows and bytes), streamed so that the asker's context cancels it.
type SQL struct {
	W          warehouse.Warehouse
	Guard      *guard.Guard
	MaxSeconds int    // max_execution_time
	MaxRows    uint64 // rows shown; more are cut
	MaxMemory  uint64 // max_memory_usage, bytes
	MaxResult  uint64 // bytes of an answer; more rows are cut
}

var _ opsbot.Skill = (*SQL)(nil)

// Commands lists `sql`.
func (q *SQL) Commands() []opsbot.Command {
	return []opsbot.Command{{Name: "sql", Usage: "sql SELECT …", Role: opsbot.RoleAnalyst,
		Summary:  "run one read-only SELECT over the log tables (time, memory and size limits)",
		Examples: []string{"sql SELECT status, count() FROM requests WHERE ts > now() - INTERVAL 1 HOUR GROUP BY status"}}}
}

// errFull stops a stream whose answer reached its row or byte limit.
var errFull = errors.New("answer full")

// Handle checks the statement, then streams its canonical form.
func (q *SQL) Handle(ctx context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	stmt := strings.TrimSpace(req.Text)
	stmt = strings.Trim(strings.TrimSpace(stmt[min(len(stmt), 3):]), "`") // "sql"
	canon, err := q.Guard.Check(ctx, stmt)
	if err != nil {
		return refuse(ctx, "sql", err), nil
	}
	start := time.Now()
	res, cut, err := q.run(ctx, canon)
	if err != nil {
		return ephemeral("The query failed: %v", err), nil
	}
	note := ""
	if cut {
		note = " (cut at the limit: add LIMIT or narrow the query)"
	}
	ctxLine := fmt.Sprintf("%d rows%s · %s · read-only, at most %ds and %d MiB", len(res.Rows), note, text.Duration(time.Since(start)), q.MaxSeconds, q.MaxMemory>>20)
	return &opsbot.Reply{Title: "sql", Table: res, Context: ctxLine}, nil
}

// run streams canon, keeping at most MaxRows rows and MaxResult bytes.
func (q *SQL) run(ctx context.Context, canon string) (*opsbot.Result, bool, error) {
	res, size, cut := &opsbot.Result{}, uint64(0), false
	cols, err := q.W.Stream(ctx, canon, nil, func(row []any) error {
		size += rowSize(row)
		if uint64(len(res.Rows)) >= q.MaxRows || size > q.MaxResult {
			cut = true
			return errFull
		}
		res.Rows = append(res.Rows, row)
		return nil
	}, warehouse.ReadOnly(), warehouse.Timeout(q.MaxSeconds), warehouse.MaxMemory(q.MaxMemory),
		warehouse.MaxRows(q.MaxRows+1), warehouse.MaxResultBytes(q.MaxResult))
	if err != nil && !errors.Is(err, errFull) {
		return nil, false, err
	}
	res.Columns = cols
	return res, cut, nil
}

// rowSize is about what a row costs to hold and render.
func rowSize(row []any) uint64 {
	n := uint64(0)
	for _, v := range row {
		switch x := v.(type) {
		case string:
			n += uint64(len(x))
		case []any:
			n += rowSize(x)
		default:
			n += 8
		}
	}
	return n
}
