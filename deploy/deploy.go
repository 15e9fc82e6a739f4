// Package deploy is the vocabulary of deploy targets: what a deploy asks
// for (Spec), what a running deploy looks like (Status, Job) and what it
// would change (Changes). The targets live in packages of their own
// (deploy/github for GitHub Actions workflow_dispatch, deploy/webhook for a
// signed webhook); package actions drives them through an interface
// declared there.
package deploy

import (
	"errors"
	"strings"
)

// Spec is one deploy asked for.
type Spec struct {
	ID          string // opsbot's deploy ID, unique
	Service     string
	Env         string
	Ref         string // a branch, tag or commit SHA
	RequestedBy string // "alice (U123)": shown, never trusted
}

// State is where a deploy is.
type State string

// States. Dispatching, Queued and InProgress are not final.
const (
	Dispatching State = "dispatching" // asked for; its run not yet found
	Queued      State = "queued"
	InProgress  State = "in_progress"
	Success     State = "success"
	Failure     State = "failure"
	Cancelled   State = "cancelled"
	TimedOut    State = "timed_out" // still running when opsbot stopped following it
	NotFound    State = "not_found" // the dispatch was accepted, no run appeared
	Accepted    State = "accepted"  // a webhook without a status URL took it: not followed
	Error       State = "error"     // opsbot could not start or follow it
)

// Final reports whether s is an end state.
func (s State) Final() bool {
	return s != Dispatching && s != Queued && s != InProgress
}

// Job is one step of a run (a GitHub Actions job).
type Job struct {
	Name  string
	State State
	URL   string // its log
}

// Status is a run read now.
type Status struct {
	State  State
	URL    string // the run's page
	Jobs   []Job  // in the order the run lists them
	Detail string // what the target said, for a failure
}

// Failed is the first failed job, if any.
func (s Status) Failed() (Job, bool) {
	for _, j := range s.Jobs {
		if j.State == Failure || j.State == TimedOut || j.State == Cancelled {
			return j, true
		}
	}
	return Job{}, false
}

// Changes are the commits a deploy brings, from the deployed commit to the
// new ref.
type Changes struct {
	Ref     string   // the ref deployed (a default branch resolved)
	SHA     string   // the commit it points at ("" when unknown)
	Count   int      // commits between from and SHA (0: none or unknown)
	Commits []Commit // the first few, oldest first
	URL     string   // a page showing them
}

// Commit is one commit in Changes.
type Commit struct {
	SHA    string
	Title  string // the first line of its message
	Author string
}

// Errors of targets, for errors.Is.
var (
	// ErrUnsupported: the target cannot answer this (a webhook has no
	// commit list).
	ErrUnsupported = errors.New("not supported by this target")
	// ErrNoRun: the target accepted the dispatch but no run for it is
	// listed (yet).
	ErrNoRun = errors.New("run not found")
	// ErrTemporary marks a failure worth another try later (a 5xx, a 429,
	// the network); any other error of a target is final.
	ErrTemporary = errors.New("temporary")
)

// Title is the first line of a commit message.
func Title(message string) string {
	t, _, _ := strings.Cut(message, "\n")
	return strings.TrimSpace(t)
}
