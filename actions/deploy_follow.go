package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/internal/text"
)

// start runs a confirmed deploy: it claims the service and environment
// (one deploy at a time), records the deploy, posts its progress message
// in the request's thread, dispatches it and leaves a follower to see it
// to its end.
func (d *Deploys) start(ctx context.Context, req *opsbot.Request, a deployAsk, approval string) (*opsbot.Reply, error) {
	n := bot.NoteFrom(ctx)
	n.Approval(approval)
	if f, frozen := d.c.Frozen(d.clock.Now(), d.loc, a.env); frozen && !strings.HasPrefix(approval, "approved by") {
		return refuse(ctx, a.String(), opsbot.Forbiddenf("a freeze began since this was asked (%s–%s: %s): ask again, and a second operator approves it",
			f.From, f.To, text.Visible(f.Reason))), nil
	}
	rec, err := d.claim(ctx, req, a, approval)
	if err != nil {
		return d.refused(ctx, a.String(), err)
	}
	d.post(ctx, &rec)
	spec := rec.spec()
	if a.rollback {
		spec.Ref = rec.SHA // the exact commit
	}
	run, err := a.target.Dispatch(ctx, spec)
	if err != nil {
		d.finish(context.WithoutCancel(ctx), &rec, deploy.Status{State: deploy.Error, Detail: "dispatch failed: " + err.Error()})
		n.Action(a.String() + " (deploy " + rec.ID + ")")
		r := ephemeral("%s failed: %s", a, err)
		return r, nil // ephemeral: the router audits it as not ok
	}
	rec.Run, rec.State = run, deploy.Queued
	if err := d.store.put(context.WithoutCancel(ctx), rec); err != nil {
		d.s.o.Log.Error("deploy: record dispatch", "deploy", rec.ID, "err", err)
	}
	d.update(ctx, &rec, deploy.Status{State: deploy.Queued})
	n.Action(a.String() + " (deploy " + rec.ID + ", dispatched)")
	d.followAsync(rec)
	return &opsbot.Reply{Title: "Deploying: " + a.String(), Text: fmt.Sprintf("Deploy %s was dispatched via %s; its progress is in one message in the thread of the request.", rec.ID, a.target.Where()),
		Context: "confirmed: " + approval}, nil
}

// claim takes service/env for a new deploy, or refuses with the one
// running there.
func (d *Deploys) claim(ctx context.Context, req *opsbot.Request, a deployAsk, approval string) (deployRecord, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.running[key(a.service, a.env)]; ok {
		return deployRecord{}, opsbot.Forbiddenf("%s is already being deployed to %s (deploy %s); one deploy at a time", a.service, a.env, id)
	}
	if err := d.free(ctx, a.service, a.env); err != nil {
		return deployRecord{}, err
	}
	now := d.clock.Now()
	rec := deployRecord{ID: newDeployID(), Service: a.service, Env: a.env, Ref: a.changes.Ref, SHA: a.changes.SHA,
		Target: a.target.Kind(), ByID: req.User.ID, ByName: req.User.Name, Approval: approval, Channel: req.Channel,
		Thread: cmpOr(req.Thread, req.TS), State: deploy.Dispatching, Started: now, Updated: now}
	if a.prev != nil {
		rec.PrevSHA = a.prev.SHA
	}
	if err := d.store.put(ctx, rec); err != nil {
		return rec, err
	}
	d.running[key(a.service, a.env)] = rec.ID
	return rec, nil
}

func (d *Deploys) release(r deployRecord) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running[key(r.Service, r.Env)] == r.ID {
		delete(d.running, key(r.Service, r.Env))
	}
}

// followAsync follows rec in the background until it ends or d's context
// does (then Resume picks it up after the restart).
func (d *Deploys) followAsync(rec deployRecord) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.follow(d.base, rec)
	}()
}

// follow finds the run (when the dispatch gave none), then reads it every
// Poll until it ends or Timeout passes, updating the record and the
// progress message on each change.
func (d *Deploys) follow(ctx context.Context, rec deployRecord) {
	t := d.targets[rec.Service]
	if t == nil {
		d.finish(ctx, &rec, deploy.Status{State: deploy.Error, Detail: "the service is no longer in deploys.services"})
		return
	}
	if rec.Run == "" && !d.find(ctx, t, &rec) {
		return
	}
	last := deploy.Status{State: rec.State}
	for {
		st, err := t.Status(ctx, rec.Run)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !errors.Is(err, deploy.ErrTemporary):
			d.finish(ctx, &rec, deploy.Status{State: deploy.Error, URL: rec.URL, Detail: "could not read the run: " + err.Error()})
			return
		case err != nil:
			d.s.o.Log.Warn("deploy: read run, will retry", "deploy", rec.ID, "err", err)
		case st.State.Final():
			d.finish(ctx, &rec, st)
			return
		case changed(last, st):
			last = st
			rec.State, rec.URL, rec.Updated = st.State, st.URL, d.clock.Now()
			if err := d.store.put(ctx, rec); err != nil {
				d.s.o.Log.Warn("deploy: record progress", "deploy", rec.ID, "err", err)
			}
			d.update(ctx, &rec, st)
		}
		if !d.clock.Now().Before(rec.Started.Add(d.c.Timeout)) {
			d.finish(ctx, &rec, deploy.Status{State: deploy.TimedOut, URL: rec.URL, Jobs: last.Jobs,
				Detail: fmt.Sprintf("still running after %s (deploys.timeout): opsbot stopped following it; see the run", human(d.c.Timeout))})
			return
		}
		if opsbot.Sleep(ctx, d.clock, d.c.Poll) != nil {
			return
		}
	}
}

// find looks for the run a dispatch started, every Poll until
// FindRunWithin after the deploy started: past it the deploy ends as
// NotFound. It reports whether following goes on.
func (d *Deploys) find(ctx context.Context, t DeployTarget, rec *deployRecord) bool {
	for {
		run, err := t.Find(ctx, rec.spec(), rec.Started)
		switch {
		case ctx.Err() != nil:
			return false
		case err == nil:
			rec.Run, rec.Updated = run, d.clock.Now()
			if err := d.store.put(ctx, *rec); err != nil {
				d.s.o.Log.Warn("deploy: record run", "deploy", rec.ID, "err", err)
			}
			return true
		case !errors.Is(err, deploy.ErrNoRun) && !errors.Is(err, deploy.ErrTemporary):
			d.finish(ctx, rec, deploy.Status{State: deploy.Error, Detail: "could not look for the run: " + err.Error()})
			return false
		}
		if !d.clock.Now().Before(rec.Started.Add(d.c.FindRunWithin)) {
			d.finish(ctx, rec, deploy.Status{State: deploy.NotFound, Detail: fmt.Sprintf(
				"%s accepted the dispatch, but no run of it appeared within %s (deploys.find_run_within): look at the workflow's runs before deploying again", t.Where(), human(d.c.FindRunWithin))})
			return false
		}
		if opsbot.Sleep(ctx, d.clock, d.c.Poll) != nil {
			return false
		}
	}
}

func changed(a, b deploy.Status) bool {
	if a.State != b.State || a.URL != b.URL || len(a.Jobs) != len(b.Jobs) {
		return true
	}
	for i := range a.Jobs {
		if a.Jobs[i] != b.Jobs[i] {
			return true
		}
	}
	return false
}

// Resume follows the deploys a previous run of opsbot left unfinished
// (serve calls it once at start). It returns how many it picked up.
func (d *Deploys) Resume(ctx context.Context) (int, error) {
	recs, err := d.store.unfinished(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		d.mu.Lock()
		_, mine := d.running[key(r.Service, r.Env)]
		if !mine {
			d.running[key(r.Service, r.Env)] = r.ID
		}
		d.mu.Unlock()
		if !mine {
			d.followAsync(r)
			n++
		}
	}
	return n, nil
}
