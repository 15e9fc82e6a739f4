package schedules

import (
	"context"
	"fmt"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// runs is the schedule_runs table: what ran for which tick.
type runs struct{ w warehouse.Warehouse }

// RunRecord is one recorded run.
type RunRecord struct {
	Job               string
	Tick              time.Time // the scheduled time it stands for
	Started, Finished time.Time
	Status            string // ok, failed
	Error             string
	Notices           int
	Holder            string
}

// last is the last recorded tick and status of each job.
func (r runs) last(ctx context.Context) (map[string]RunRecord, error) {
	res, err := r.w.Query(ctx, `SELECT job, max(tick), argMax(status, tick), argMax(error, tick), argMax(finished_at, tick)
		FROM schedule_runs GROUP BY job`, nil)
	if err != nil {
		return nil, fmt.Errorf("read schedule_runs: %w", err)
	}
	out := map[string]RunRecord{}
	for _, x := range res.Rows {
		out[warehouse.String(x[0])] = RunRecord{Job: warehouse.String(x[0]), Tick: warehouse.Time(x[1]), Status: warehouse.String(x[2]),
			Error: warehouse.String(x[3]), Finished: warehouse.Time(x[4])}
	}
	return out, nil
}

func (r runs) record(ctx context.Context, x RunRecord) error {
	err := r.w.Exec(ctx, `INSERT INTO schedule_runs (job, tick, started_at, finished_at, status, error, notices, holder)
		SELECT {job:String}, {tick:DateTime64(3, 'UTC')}, {started:DateTime64(3, 'UTC')}, {finished:DateTime64(3, 'UTC')},
		{status:String}, {error:String}, {notices:UInt32}, {holder:String}`,
		opsbot.Params{"job": x.Job, "tick": warehouse.TimeParam(x.Tick), "started": warehouse.TimeParam(x.Started),
			"finished": warehouse.TimeParam(x.Finished), "status": x.Status, "error": x.Error,
			"notices": fmt.Sprint(x.Notices), "holder": x.Holder})
	if err != nil {
		return fmt.Errorf("record run of %s: %w", x.Job, err)
	}
	return nil
}
