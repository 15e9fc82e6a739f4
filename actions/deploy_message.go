package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/internal/text"
)

// maxJobs are the jobs a progress message lists.
const maxJobs = 20

// post posts rec's progress message in the request's thread and keeps its
// ts in rec (recorded with the next change). Without a channel (the
// terminal chat) or a poster, nothing is posted.
func (d *Deploys) post(ctx context.Context, rec *deployRecord) {
	if d.poster == nil || rec.Channel == "" {
		return
	}
	ts, err := d.poster.Post(context.WithoutCancel(ctx), opsbot.Message{Channel: rec.Channel, Thread: rec.Thread, Reply: d.progress(*rec, deploy.Status{State: rec.State})})
	if err != nil {
		d.s.o.Log.Warn("deploy: post progress", "deploy", rec.ID, "err", err)
		return
	}
	rec.Message = ts
}

// update rewrites the progress message in place where the poster can
// (Slack's chat.update), else posts the new state in the thread only
// when it is final.
func (d *Deploys) update(ctx context.Context, rec *deployRecord, st deploy.Status) {
	if d.poster == nil || rec.Channel == "" {
		return
	}
	m := opsbot.Message{Channel: rec.Channel, Thread: rec.Thread, Reply: d.progress(*rec, st)}
	ctx = context.WithoutCancel(ctx)
	u, ok := d.poster.(Updater)
	var err error
	switch {
	case ok && rec.Message != "":
		err = u.Update(ctx, m, rec.Message)
	case st.State.Final():
		_, err = d.poster.Post(ctx, m)
	}
	if err != nil {
		d.s.o.Log.Warn("deploy: update progress", "deploy", rec.ID, "err", err)
	}
}

// finish records rec's final state, updates its message, releases its
// service and environment, and records and posts the audit entry.
func (d *Deploys) finish(ctx context.Context, rec *deployRecord, st deploy.Status) {
	ctx = context.WithoutCancel(ctx)
	defer d.release(*rec)
	now := d.clock.Now()
	rec.State, rec.Updated, rec.Ended, rec.Detail = st.State, now, now, st.Detail
	if st.URL != "" {
		rec.URL = st.URL
	}
	if j, ok := st.Failed(); ok {
		rec.Detail, rec.LogURL = "failed in job "+j.Name, j.URL
	}
	if err := d.store.put(ctx, *rec); err != nil {
		d.s.o.Log.Error("deploy: record the end", "deploy", rec.ID, "state", rec.State, "err", err)
	}
	d.update(ctx, rec, st)
	e := d.entry(*rec)
	if d.s.o.Audit == nil {
		return
	}
	if err := d.s.o.Audit.Record(ctx, e); err != nil {
		d.s.o.Log.Error("deploy: audit", "deploy", rec.ID, "err", err)
	}
	if err := d.s.o.Audit.Post(ctx, e); err != nil {
		d.s.o.Log.Error("deploy: post to the audit room", "deploy", rec.ID, "err", err)
	}
}

// entry is the audit entry of a deploy's end.
func (d *Deploys) entry(r deployRecord) opsbot.AuditEntry {
	result := "ok"
	if r.State != deploy.Success {
		result = "error: " + string(r.State)
		if r.Detail != "" {
			result += ": " + text.Visible(r.Detail)
		}
	}
	lines := []string{result}
	for _, l := range []string{r.URL, r.LogURL} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return opsbot.AuditEntry{Time: r.Ended, User: opsbot.User{ID: r.ByID, Name: r.ByName}, Channel: r.Channel, Transport: "deploy",
		Text: fmt.Sprintf("deploy %s %s to %s", r.Service, r.Ref, r.Env), Allowed: true,
		Action: fmt.Sprintf("deploy %s %s (%s) to %s: %s (deploy %s)", r.Service, text.Visible(r.Ref), shortSHA(r.SHA), r.Env, r.State, r.ID),
		Result: strings.Join(lines, "\n"), Took: r.Ended.Sub(r.Started), Approval: r.Approval}
}

var icons = map[deploy.State]string{
	deploy.Dispatching: "⏳", deploy.Queued: "⏳", deploy.InProgress: "🔄", deploy.Success: "✅", deploy.Failure: "❌",
	deploy.Cancelled: "⏹", deploy.TimedOut: "⌛", deploy.NotFound: "❓", deploy.Accepted: "📨", deploy.Error: "⚠",
}

var said = map[deploy.State]string{
	deploy.Dispatching: "dispatching", deploy.Queued: "queued", deploy.InProgress: "in progress", deploy.Success: "succeeded",
	deploy.Failure: "FAILED", deploy.Cancelled: "cancelled", deploy.TimedOut: "timed out", deploy.NotFound: "dispatched, run not found",
	deploy.Accepted: "accepted by the webhook", deploy.Error: "error",
}

// progress renders rec at st: the state, each job, the run's link and,
// for a failure, the failing job and its log.
func (d *Deploys) progress(r deployRecord, st deploy.Status) opsbot.Reply {
	title := fmt.Sprintf("%s Deploy %s %s (%s) → %s: %s", icons[st.State], r.Service, text.Visible(r.Ref), shortSHA(r.SHA), r.Env, said[st.State])
	var lines []string
	for i, j := range st.Jobs {
		if i == maxJobs {
			lines = append(lines, fmt.Sprintf("… and %d more jobs", len(st.Jobs)-maxJobs))
			break
		}
		lines = append(lines, fmt.Sprintf("%s %s", icons[j.State], text.Cut(text.Visible(j.Name), 80)))
	}
	if j, ok := st.Failed(); ok {
		lines = append(lines, fmt.Sprintf("Failed in job *%s*: log %s", text.Cut(text.Visible(j.Name), 80), j.URL))
	} else if st.Detail != "" {
		lines = append(lines, text.Cut(text.Visible(st.Detail), 500))
	}
	if url := cmpOr(st.URL, r.URL); url != "" {
		lines = append(lines, "Run: "+url)
	}
	ctx := fmt.Sprintf("deploy %s · by %s · %s · started %s", r.ID, who(r.ByID, r.ByName), r.Approval, d.clockLine(r.Started))
	if st.State.Final() {
		ctx += " · took " + text.Duration(d.clock.Now().Sub(r.Started))
	}
	return opsbot.Reply{Title: title, Text: strings.Join(lines, "\n"), Context: ctx}
}
