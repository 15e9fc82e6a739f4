package github_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/deploy/github"
	"github.com/opsbot/opsbot/deploy/github/githubtest"
)

var t0 = time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)

func target(t *testing.T, gh *githubtest.Server, token string) *github.Target {
	tg, err := github.New(github.Options{Repo: "acme/api", Workflow: "deploy.yml", Token: token, BaseURL: gh.APIURL(), HTTP: gh.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestDispatchFindFollow: the dispatch sends the documented body (the
// workflow's branch, the three inputs), the run is found among the
// workflow_dispatch runs created since, not taking someone else's older
// run, and its jobs map to states in order.
func TestDispatchFindFollow(t *testing.T) {
	ctx := context.Background()
	gh := githubtest.New(t, func() time.Time { return t0 })
	gh.AddRun("someone's earlier run", t0.Add(-time.Hour))
	tg := target(t, gh, githubtest.Token)
	spec := deploy.Spec{ID: "DABCDE", Service: "api", Env: "production", Ref: "v1.2.3", RequestedBy: "UALICE (alice)"}
	if run, err := tg.Dispatch(ctx, spec); err != nil || run != "" {
		t.Fatalf("dispatch: %q %v", run, err)
	}
	want := []githubtest.Dispatch{{Ref: "main", Inputs: map[string]any{"ref": "v1.2.3", "environment": "production", "requested_by": "UALICE (alice) · opsbot DABCDE"}}}
	if got := gh.Dispatches(); !reflect.DeepEqual(got, want) {
		t.Errorf("dispatches %+v, want %+v", got, want)
	}
	run, err := tg.Find(ctx, spec, t0)
	if err != nil || run != "1002" {
		t.Fatalf("find: %q %v", run, err)
	}
	if _, err := tg.Find(ctx, spec, t0); !errors.Is(err, deploy.ErrNoRun) {
		t.Errorf("a run found twice: %v", err)
	}
	gh.Set(1002, "in_progress", "", githubtest.Job{Name: "build", Status: "completed", Conclusion: "success"}, githubtest.Job{Name: "deploy", Status: "in_progress"})
	st, err := tg.Status(ctx, run)
	wantSt := deploy.Status{State: deploy.InProgress, URL: githubtest.RunURL(1002), Jobs: []deploy.Job{
		{Name: "build", State: deploy.Success, URL: githubtest.JobURL(1002, 0)}, {Name: "deploy", State: deploy.InProgress, URL: githubtest.JobURL(1002, 1)}}}
	if err != nil || !reflect.DeepEqual(st, wantSt) {
		t.Errorf("status %+v %v", st, err)
	}
	wantReqs := []string{
		"GET /repos/acme/api", // the default branch, where the workflow runs from
		"POST /repos/acme/api/actions/workflows/deploy.yml/dispatches",
		"GET /repos/acme/api/actions/workflows/deploy.yml/runs?created=%3E%3D2026-12-03T13%3A59%3A30Z&event=workflow_dispatch&per_page=30",
		"GET /repos/acme/api/actions/workflows/deploy.yml/runs?created=%3E%3D2026-12-03T13%3A59%3A30Z&event=workflow_dispatch&per_page=30",
		"GET /repos/acme/api/actions/runs/1002",
		"GET /repos/acme/api/actions/runs/1002/jobs?filter=latest&per_page=100",
	}
	if got := gh.Requests(); !reflect.DeepEqual(got, wantReqs) {
		t.Errorf("requests\n%q\nwant\n%q", got, wantReqs)
	}
}

// TestChanges: compare lists the commits between the deployed SHA and the
// ref (count, first titles, authors); with nothing deployed the ref is
// resolved to its SHA; an unknown ref is said plainly; a bad token is not
// worth retrying.
func TestChanges(t *testing.T) {
	ctx := context.Background()
	gh := githubtest.New(t, func() time.Time { return t0 })
	base := gh.Commit("first", "ana", "v1.2.2")
	c1 := gh.Commit("Fix the donate button\n\nlong body", "bob")
	c2 := gh.Commit("Bump deps", "carol", "v1.2.3")
	tg := target(t, gh, githubtest.Token)
	got, err := tg.Changes(ctx, base, "v1.2.3")
	want := deploy.Changes{Ref: "v1.2.3", SHA: c2, Count: 2, URL: githubtest.Web + "/acme/api/compare/" + base + "...v1.2.3",
		Commits: []deploy.Commit{{SHA: c1, Title: "Fix the donate button", Author: "bob"}, {SHA: c2, Title: "Bump deps", Author: "carol"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("changes %+v %v", got, err)
	}
	if got, err := tg.Changes(ctx, "", ""); err != nil || got.Ref != "main" || got.SHA != c2 || got.Count != 0 {
		t.Errorf("first deploy: %+v %v", got, err)
	}
	if _, err := tg.Changes(ctx, base, "v9"); err == nil || err.Error() != `compare `+base[:7]+`...v9: no branch, tag or commit "v9" in the repository` {
		t.Errorf("unknown ref: %v", err)
	}
	if _, err := target(t, gh, "wrong").Status(ctx, "1"); err == nil || errors.Is(err, deploy.ErrTemporary) {
		t.Errorf("bad token: %v", err)
	}
}
