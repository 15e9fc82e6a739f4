// Package schedules runs opsbot's scheduled jobs: the daily log analysis
// (schedules/report), the health rules (schedules/rules) and any Job others
// add (infra audits, ban expiry). Each job has a cron schedule with a time
// zone; a job never runs twice at once; after downtime a missed run is
// caught up once, not once per missed tick; what ran is recorded in
// ClickHouse (schedule_runs) so that it survives restarts; and a lease in
// ClickHouse (scheduler_lease) lets only one scheduler act. Jobs return
// notices; the scheduler posts audit notices to the audit room, warnings
// to the alerts room, and pages to the alerts room and the pager.
package schedules

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/opsbot/opsbot"
)

// Job is one scheduled job.
//
// Contract: Name is constant and unique; it keys the job's schedule in
// config (schedules.jobs.NAME) and its recorded runs. Run does the work
// for the scheduled time now and returns what should be said; it is never
// called again for the same job before it returns. An error is recorded
// and logged (and the job runs again at its next tick).
type Job interface {
	Name() string
	Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error)
}

// Previewer is a Job that can say what it would post without doing
// anything else (recording findings, removing bans). Dry runs call Preview;
// a job without it has no dry run, since its Run may act.
type Previewer interface {
	Preview(ctx context.Context, now time.Time) ([]opsbot.Notice, error)
}

// preview runs a Previewer's Preview in place of its Run.
type preview struct {
	p interface {
		Job
		Previewer
	}
}

func (p preview) Name() string { return p.p.Name() }

func (p preview) Run(ctx context.Context, now time.Time) ([]opsbot.Notice, error) {
	return p.p.Preview(ctx, now)
}

// entry is one job with its schedule.
type entry struct {
	job      Job
	spec     string
	sched    cron.Schedule
	disabled bool
	next     time.Time
	last     RunRecord
	running  bool
}

// Entry describes a job for `schedules list`.
type Entry struct {
	Name     string
	Spec     string
	Disabled bool
	Next     time.Time
	Last     RunRecord // zero when it never ran
}

// Run acts as the scheduler until ctx ends: it renews the lease, and while
// it leads, runs each job at its ticks. It returns after running jobs
// finish.
func (s *Scheduler) Run(ctx context.Context) error {
	defer s.wg.Wait()
	leader := false
	for {
		now := s.clock.Now()
		lead, err := s.lease.acquire(ctx, now)
		if err != nil && ctx.Err() == nil {
			s.log.Error("scheduler lease", "err", err)
		}
		if lead && !leader {
			s.log.Info("scheduler acting", "holder", s.lease.holder)
			if err := s.load(ctx, now); err != nil {
				s.log.Error("load schedule state", "err", err)
				lead = false
			}
		} else if !lead && leader {
			s.log.Warn("scheduler lost its lease: standing by", "holder", s.lease.holder)
		}
		leader = lead
		wait := s.lease.ttl / 3
		if leader {
			s.tick(ctx, now)
			wait = min(wait, s.nextDue().Sub(now))
		}
		select {
		case <-ctx.Done():
			s.wg.Wait()
			if leader {
				s.lease.release(context.WithoutCancel(ctx))
			}
			return nil
		case <-s.clock.After(wait):
		}
	}
}

// load reads the last run of each job and plans the next: after the last
// recorded tick, or after now for a job that never ran.
func (s *Scheduler) load(ctx context.Context, now time.Time) error {
	last, err := s.runs.last(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		e.last = last[e.job.Name()]
		if e.last.Tick.IsZero() {
			e.next = e.sched.Next(now)
		} else {
			e.next = e.sched.Next(e.last.Tick)
		}
	}
	return nil
}

// tick starts every job that is due at now, once, for its latest missed
// tick.
func (s *Scheduler) tick(ctx context.Context, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.disabled || e.next.IsZero() || e.next.After(now) {
			continue
		}
		t := latest(e.sched, e.next, now)
		e.next = e.sched.Next(t)
		if e.running {
			s.log.Warn("job still running: tick skipped", "job", e.job.Name(), "tick", t)
			continue
		}
		e.running = true
		s.wg.Add(1)
		go s.run(ctx, e, t)
	}
}

// latest is the last tick at or before now, from the due tick t.
func latest(sc cron.Schedule, t, now time.Time) time.Time {
	for i := 0; i < 1_000_000; i++ {
		n := sc.Next(t)
		if n.After(now) || !n.After(t) {
			break
		}
		t = n
	}
	return t
}

func (s *Scheduler) run(ctx context.Context, e *entry, tick time.Time) {
	defer s.wg.Done()
	r := s.execute(ctx, e.job, tick, s.sender)
	if err := s.runs.record(context.WithoutCancel(ctx), r); err != nil {
		s.log.Error("record run", "job", r.Job, "err", err)
	}
	s.mu.Lock()
	e.running, e.last = false, r
	hook := s.ran
	s.mu.Unlock()
	if hook != nil {
		hook(r)
	}
}

// execute runs job for tick and says its notices through sender.
func (s *Scheduler) execute(ctx context.Context, job Job, tick time.Time, sender Sender) RunRecord {
	r := RunRecord{Job: job.Name(), Tick: tick, Started: s.clock.Now(), Status: "ok", Holder: s.lease.holder}
	notices, err := job.Run(ctx, tick)
	for _, n := range notices {
		if nerr := Notify(ctx, sender, job.Name(), n); nerr != nil {
			err = errors.Join(err, nerr)
			s.log.Error("notice", "job", job.Name(), "key", n.Key, "err", nerr)
		}
	}
	r.Finished, r.Notices = s.clock.Now(), len(notices)
	if err != nil {
		r.Status, r.Error = "failed", err.Error()
		s.log.Error("job failed", "job", job.Name(), "tick", tick, "err", err)
	}
	return r
}

func (s *Scheduler) nextDue() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t time.Time
	for _, e := range s.entries {
		if !e.disabled && (t.IsZero() || e.next.Before(t)) {
			t = e.next
		}
	}
	if t.IsZero() {
		return s.clock.Now().Add(time.Hour)
	}
	return t
}

// List is every job with its next run after now and its last run.
func (s *Scheduler) List(ctx context.Context, now time.Time) ([]Entry, error) {
	last, err := s.runs.last(ctx)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range s.entries {
		out = append(out, Entry{Name: e.job.Name(), Spec: e.spec, Disabled: e.disabled, Next: e.sched.Next(now), Last: last[e.job.Name()]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Leader is the scheduler instance that currently acts ("" when none).
func (s *Scheduler) Leader(ctx context.Context, now time.Time) (string, error) {
	return s.lease.leader(ctx, now)
}
