package actions

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/warehouse"
)

// deployRecord is one row of the deploys table.
type deployRecord struct {
	ID, Service, Env, Ref, SHA, PrevSHA string
	Target, Run, URL                    string
	ByID, ByName, Approval              string
	Channel, Thread, Message            string
	State                               deploy.State
	Detail, LogURL                      string
	Started, Updated, Ended             time.Time
}

func (r deployRecord) spec() deploy.Spec {
	return deploy.Spec{ID: r.ID, Service: r.Service, Env: r.Env, Ref: r.Ref, RequestedBy: who(r.ByID, r.ByName)}
}

// lockRecord is one row of deploy_locks.
type lockRecord struct {
	Service, Env, ByID, ByName, Reason string
	Locked                             bool
	At                                 time.Time
}

// deployStore keeps deploys and locks (ReplacingMergeTree by version,
// read with FINAL).
type deployStore struct {
	w warehouse.Warehouse
	v store // for its versions
}

const deployCols = `id, service, env, ref, sha, prev_sha, target, run, url, by_id, by_name, approval,
	channel, thread, message, state, detail, log_url, started_at, updated_at, ended_at`

func (s *deployStore) put(ctx context.Context, r deployRecord) error {
	ended := ""
	if !r.Ended.IsZero() {
		ended = warehouse.TimeParam(r.Ended)
	}
	err := s.w.Exec(ctx, `INSERT INTO deploys (`+deployCols+`, version)
		SELECT {id:String}, {service:String}, {env:String}, {ref:String}, {sha:String}, {prev_sha:String}, {target:String},
		       {run:String}, {url:String}, {by_id:String}, {by_name:String}, {approval:String}, {channel:String},
		       {thread:String}, {message:String}, {state:String}, {detail:String}, {log_url:String},
		       {started:DateTime64(3, 'UTC')}, {updated:DateTime64(3, 'UTC')},
		       parseDateTime64BestEffortOrNull({ended:String}, 3, 'UTC'), {version:UInt64}`, opsbot.Params{
		"id": r.ID, "service": r.Service, "env": r.Env, "ref": r.Ref, "sha": r.SHA, "prev_sha": r.PrevSHA, "target": r.Target,
		"run": r.Run, "url": r.URL, "by_id": r.ByID, "by_name": r.ByName, "approval": r.Approval, "channel": r.Channel,
		"thread": r.Thread, "message": r.Message, "state": string(r.State), "detail": r.Detail, "log_url": r.LogURL,
		"started": warehouse.TimeParam(r.Started), "updated": warehouse.TimeParam(r.Updated), "ended": ended,
		"version": strconv.FormatUint(s.v.version(), 10),
	})
	if err != nil {
		return fmt.Errorf("record deploy: %w", err)
	}
	return nil
}

// query reads deploys matching where, newest first.
func (s *deployStore) query(ctx context.Context, where string, p opsbot.Params, limit int) ([]deployRecord, error) {
	res, err := s.w.Query(ctx, `SELECT `+deployCols+` FROM deploys FINAL WHERE `+where+
		` ORDER BY started_at DESC, id LIMIT `+strconv.Itoa(limit), p)
	if err != nil {
		return nil, fmt.Errorf("read deploys: %w", err)
	}
	out := make([]deployRecord, 0, len(res.Rows))
	for _, row := range res.Rows {
		out = append(out, toDeploy(row))
	}
	return out, nil
}

const unfinished = `state IN ('dispatching', 'queued', 'in_progress')`

// running is the unfinished deploy of service to env, if any.
func (s *deployStore) running(ctx context.Context, service, env string) (*deployRecord, error) {
	recs, err := s.query(ctx, `service = {s:String} AND env = {e:String} AND `+unfinished, opsbot.Params{"s": service, "e": env}, 1)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return &recs[0], nil
}

// unfinished are every deploy not in a final state.
func (s *deployStore) unfinished(ctx context.Context) ([]deployRecord, error) {
	return s.query(ctx, unfinished, nil, 1000)
}

// successes are service's successful deploys to env, newest first.
func (s *deployStore) successes(ctx context.Context, service, env string, limit int) ([]deployRecord, error) {
	return s.query(ctx, `service = {s:String} AND env = {e:String} AND state = 'success'`, opsbot.Params{"s": service, "e": env}, limit)
}

// history are deploys started since, of service ("": all).
func (s *deployStore) history(ctx context.Context, service string, since time.Time, limit int) ([]deployRecord, error) {
	return s.query(ctx, `({s:String} = '' OR service = {s:String}) AND started_at >= {since:DateTime64(3, 'UTC')}`,
		opsbot.Params{"s": service, "since": warehouse.TimeParam(since)}, limit)
}

func toDeploy(row []any) deployRecord {
	str := func(i int) string { s, _ := row[i].(string); return s }
	tm := func(i int) time.Time { t, _ := row[i].(time.Time); return t }
	return deployRecord{ID: str(0), Service: str(1), Env: str(2), Ref: str(3), SHA: str(4), PrevSHA: str(5), Target: str(6),
		Run: str(7), URL: str(8), ByID: str(9), ByName: str(10), Approval: str(11), Channel: str(12), Thread: str(13),
		Message: str(14), State: deploy.State(str(15)), Detail: str(16), LogURL: str(17), Started: tm(18), Updated: tm(19), Ended: tm(20)}
}

func (s *deployStore) putLock(ctx context.Context, l lockRecord) error {
	err := s.w.Exec(ctx, `INSERT INTO deploy_locks (service, env, locked, by_id, by_name, reason, at, version)
		SELECT {service:String}, {env:String}, {locked:Bool}, {by_id:String}, {by_name:String}, {reason:String},
		       {at:DateTime64(3, 'UTC')}, {version:UInt64}`, opsbot.Params{
		"service": l.Service, "env": l.Env, "locked": strconv.FormatBool(l.Locked), "by_id": l.ByID, "by_name": l.ByName,
		"reason": l.Reason, "at": warehouse.TimeParam(l.At), "version": strconv.FormatUint(s.v.version(), 10),
	})
	if err != nil {
		return fmt.Errorf("record deploy lock: %w", err)
	}
	return nil
}

// lock is the lock holding service's env (or all its envs), if any.
func (s *deployStore) lock(ctx context.Context, service, env string) (*lockRecord, error) {
	res, err := s.w.Query(ctx, `SELECT service, env, by_id, by_name, reason, at FROM deploy_locks FINAL
		WHERE service = {s:String} AND env IN ('', {e:String}) AND locked ORDER BY env DESC LIMIT 1`,
		opsbot.Params{"s": service, "e": env})
	if err != nil {
		return nil, fmt.Errorf("read deploy locks: %w", err)
	}
	if len(res.Rows) == 0 {
		return nil, nil
	}
	row := res.Rows[0]
	str := func(i int) string { s, _ := row[i].(string); return s }
	at, _ := row[5].(time.Time)
	return &lockRecord{Service: str(0), Env: str(1), ByID: str(2), ByName: str(3), Reason: str(4), Locked: true, At: at}, nil
}
