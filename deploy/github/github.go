// Package github deploys through a GitHub Actions workflow with a
// workflow_dispatch trigger (inputs ref, environment, requested_by): it
// dispatches the workflow, finds the run the dispatch started, reads the
// run and its jobs, and lists the commits a deploy brings with the compare
// API. Calls go through github.com/google/go-github.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v74/github"

	"github.com/opsbot/opsbot/deploy"
)

// Options configure a Target.
type Options struct {
	Repo     string // owner/name
	Workflow string // file name: deploy.yml
	Ref      string // the branch the workflow runs from ("": the default branch)
	Token    string
	BaseURL  string       // the REST API ("": https://api.github.com/)
	HTTP     *http.Client // nil: a client with a 30s timeout
}

// Target is one service's workflow.
type Target struct {
	o           Options
	owner, repo string
	c           *gh.Client

	mu    sync.Mutex
	taken map[int64]bool // runs already matched to a deploy
}

// skew is how much earlier than opsbot's clock a run's created_at may be
// and still belong to a dispatch (GitHub's clock against ours).
const skew = 30 * time.Second

// maxCommits are the commits a confirmation lists.
const maxCommits = 5

// New returns the target of o.
func New(o Options) (*Target, error) {
	owner, repo, ok := strings.Cut(o.Repo, "/")
	if !ok {
		return nil, fmt.Errorf("github deploy: repo %q is not owner/name", o.Repo)
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	c := gh.NewClient(o.HTTP).WithAuthToken(o.Token)
	if o.BaseURL != "" {
		u, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("github deploy: base url: %w", err)
		}
		c.BaseURL = u // as given: GitHub Enterprise's ends in /api/v3/
	}
	return &Target{o: o, owner: owner, repo: repo, c: c, taken: map[int64]bool{}}, nil
}

// Kind names the target.
func (t *Target) Kind() string { return "github" }

// Where names the workflow, for messages.
func (t *Target) Where() string { return t.o.Repo + " " + t.o.Workflow }

// Dispatch asks for a run of the workflow. GitHub answers 204 with no run
// ID: the run is found with Find. A dispatch is never retried (a second
// one could start a second deploy).
func (t *Target) Dispatch(ctx context.Context, s deploy.Spec) (string, error) {
	ref := t.o.Ref
	if ref == "" {
		var err error
		if ref, err = t.defaultBranch(ctx); err != nil {
			return "", err
		}
	}
	ev := gh.CreateWorkflowDispatchEventRequest{Ref: ref, Inputs: map[string]any{
		"ref": s.Ref, "environment": s.Env, "requested_by": s.RequestedBy + " · opsbot " + s.ID}}
	if _, err := t.c.Actions.CreateWorkflowDispatchEventByFileName(ctx, t.owner, t.repo, t.o.Workflow, ev); err != nil {
		return "", fmt.Errorf("dispatch %s: %w", t.o.Workflow, err) // never ErrTemporary: not retried
	}
	return "", nil
}

// Find returns the run a dispatch at since started: the one whose title
// (the workflow's run-name) holds the deploy's ID, else the oldest
// workflow_dispatch run created since then that no deploy took. None yet
// is an error wrapping deploy.ErrNoRun.
func (t *Target) Find(ctx context.Context, s deploy.Spec, since time.Time) (string, error) {
	opts := &gh.ListWorkflowRunsOptions{Event: "workflow_dispatch", Created: ">=" + since.Add(-skew).UTC().Format(time.RFC3339),
		ListOptions: gh.ListOptions{PerPage: 30}}
	runs, _, err := t.c.Actions.ListWorkflowRunsByFileName(ctx, t.owner, t.repo, t.o.Workflow, opts)
	if err != nil {
		return "", fmt.Errorf("list runs: %w", classify(err))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	run := t.pick(runs.WorkflowRuns, s.ID, since.Add(-skew))
	if run == nil {
		return "", deploy.ErrNoRun
	}
	t.taken[run.GetID()] = true
	return strconv.FormatInt(run.GetID(), 10), nil
}

func (t *Target) pick(runs []*gh.WorkflowRun, id string, after time.Time) *gh.WorkflowRun {
	var oldest *gh.WorkflowRun
	for _, r := range runs {
		if t.taken[r.GetID()] || r.GetCreatedAt().Before(after) {
			continue
		}
		if strings.Contains(r.GetDisplayTitle(), id) {
			return r
		}
		if oldest == nil || r.GetCreatedAt().Before(oldest.GetCreatedAt().Time) {
			oldest = r
		}
	}
	return oldest
}

// Status reads the run and its jobs (of its latest attempt).
func (t *Target) Status(ctx context.Context, run string) (deploy.Status, error) {
	id, err := strconv.ParseInt(run, 10, 64)
	if err != nil {
		return deploy.Status{}, fmt.Errorf("run %q is not a GitHub run ID", run)
	}
	t.mu.Lock()
	t.taken[id] = true
	t.mu.Unlock()
	r, _, err := t.c.Actions.GetWorkflowRunByID(ctx, t.owner, t.repo, id)
	if err != nil {
		return deploy.Status{}, fmt.Errorf("read run %d: %w", id, classify(err))
	}
	jobs, _, err := t.c.Actions.ListWorkflowJobs(ctx, t.owner, t.repo, id, &gh.ListWorkflowJobsOptions{Filter: "latest", ListOptions: gh.ListOptions{PerPage: 100}})
	if err != nil {
		return deploy.Status{}, fmt.Errorf("read jobs of run %d: %w", id, classify(err))
	}
	st := deploy.Status{State: state(r.GetStatus(), r.GetConclusion()), URL: r.GetHTMLURL()}
	for _, j := range jobs.Jobs {
		st.Jobs = append(st.Jobs, deploy.Job{Name: j.GetName(), State: state(j.GetStatus(), j.GetConclusion()), URL: j.GetHTMLURL()})
	}
	if !st.State.Final() && slices.ContainsFunc(st.Jobs, func(j deploy.Job) bool { return j.State != deploy.Queued }) {
		st.State = deploy.InProgress
	}
	return st, nil
}

// state maps a run's or job's status and conclusion.
func state(status, conclusion string) deploy.State {
	if status != "completed" {
		if status == "in_progress" {
			return deploy.InProgress
		}
		return deploy.Queued // queued, requested, waiting, pending
	}
	switch conclusion {
	case "success", "skipped", "neutral":
		return deploy.Success
	case "cancelled":
		return deploy.Cancelled
	case "timed_out":
		return deploy.TimedOut
	}
	return deploy.Failure // failure, startup_failure, action_required, stale
}

// Changes lists the commits from the deployed commit from ("": none known)
// to ref ("": the default branch).
func (t *Target) Changes(ctx context.Context, from, ref string) (deploy.Changes, error) {
	if ref == "" {
		var err error
		if ref, err = t.defaultBranch(ctx); err != nil {
			return deploy.Changes{}, err
		}
	}
	if from == "" {
		sha, _, err := t.c.Repositories.GetCommitSHA1(ctx, t.owner, t.repo, ref, "")
		if err != nil {
			return deploy.Changes{}, fmt.Errorf("resolve %s: %w", ref, notFound(err, ref))
		}
		return deploy.Changes{Ref: ref, SHA: sha}, nil
	}
	cmp, _, err := t.c.Repositories.CompareCommits(ctx, t.owner, t.repo, from, ref, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return deploy.Changes{}, fmt.Errorf("compare %s...%s: %w", short(from), ref, notFound(err, ref))
	}
	return changes(ref, cmp), nil
}

func changes(ref string, cmp *gh.CommitsComparison) deploy.Changes {
	c := deploy.Changes{Ref: ref, Count: cmp.GetTotalCommits(), URL: cmp.GetHTMLURL()}
	if n := len(cmp.Commits); n > 0 {
		c.SHA = cmp.Commits[n-1].GetSHA()
	} else {
		c.SHA = cmp.GetBaseCommit().GetSHA()
	}
	for _, rc := range cmp.Commits[:min(len(cmp.Commits), maxCommits)] {
		author := rc.GetAuthor().GetLogin()
		if author == "" {
			author = rc.GetCommit().GetAuthor().GetName()
		}
		c.Commits = append(c.Commits, deploy.Commit{SHA: rc.GetSHA(), Title: deploy.Title(rc.GetCommit().GetMessage()), Author: author})
	}
	return c
}

func (t *Target) defaultBranch(ctx context.Context) (string, error) {
	r, _, err := t.c.Repositories.Get(ctx, t.owner, t.repo)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", t.o.Repo, classify(err))
	}
	return r.GetDefaultBranch(), nil
}

// classify marks what is worth another try: rate limits, 5xx, the network.
func classify(err error) error {
	var rl *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	var er *gh.ErrorResponse
	switch {
	case errors.As(err, &rl), errors.As(err, &abuse):
		return fmt.Errorf("%w: %w", deploy.ErrTemporary, err)
	case errors.As(err, &er):
		if er.Response != nil && er.Response.StatusCode >= 500 {
			return fmt.Errorf("%w: %w", deploy.ErrTemporary, err)
		}
		return err
	case errors.Is(err, context.Canceled):
		return err
	}
	return fmt.Errorf("%w: %w", deploy.ErrTemporary, err) // the network
}

// notFound says an unknown ref plainly.
func notFound(err error, ref string) error {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == 404 || er.Response.StatusCode == 422) {
		return fmt.Errorf("no branch, tag or commit %q in the repository", ref)
	}
	return classify(err)
}

func short(sha string) string { return sha[:min(len(sha), 7)] }
