package actions_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/deploy/github/githubtest"
	"github.com/opsbot/opsbot/deploy/webhook"
)

func has(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// TestDeployFollowedToFailure: `deploy api v1.2.3 to production` shows
// what changes (deployed commit, new one, the commits between), is
// confirmed with a TOTP code in a DM, dispatches the workflow with the
// documented inputs, and is followed in ONE message in the request's
// thread, updated in place, until the run fails in its second job: the
// message names that job and its log; the end is in the audit log and in
// #tech-audits, and `deploys` shows it.
func TestDeployFollowedToFailure(t *testing.T) {
	d := newDeployWorld(t, nil)
	base := d.gh.Commit("Release 1.2.2", "ana", "v1.2.2")
	c1 := d.gh.Commit("Fix the donate button <!channel>", "bob")
	c2 := d.gh.Commit("Bump deps", "carol", "v1.2.3")
	d.seed("DSEED1", "production", "v1.2.2", base, thu.Add(-24*time.Hour))
	secret := d.enroll(alice)

	r := d.say(alice, "deploy api v1.2.3 to production", false)
	has(t, "prompt", r.Title, "Confirm: deploy api v1.2.3 ("+c2[:7]+") to production")
	has(t, "prompt", r.Text, "Now on production: v1.2.2 ("+base[:7]+") by bob (UBOB)", "New: v1.2.3 "+c2[:7]+" via acme/api deploy.yml",
		"2 new commit(s):", "• "+c1[:7]+" Fix the donate button <!channel> (bob)", "• "+c2[:7]+" Bump deps (carol)",
		githubtest.Web+"/acme/api/compare/"+base+"...v1.2.3", "confirm ")
	id := confirmID(t, r)
	r = d.say(alice, "confirm "+id+" "+code(t, secret, d.clk.Now()), true)
	if r.Ephemeral || !strings.HasPrefix(r.Title, "Deploying: deploy api v1.2.3") {
		t.Fatalf("confirmed: %+v", r)
	}
	got := d.gh.Dispatches()
	if len(got) != 1 || got[0].Ref != "main" || got[0].Inputs["ref"] != "v1.2.3" || got[0].Inputs["environment"] != "production" ||
		!strings.HasPrefix(got[0].Inputs["requested_by"].(string), "alice (UALICE) · opsbot D") {
		t.Errorf("dispatches %+v", got)
	}

	d.step(func() {
		d.gh.Set(1001, "in_progress", "", githubtest.Job{Name: "build", Status: "completed", Conclusion: "success"}, githubtest.Job{Name: "deploy", Status: "in_progress"})
	})
	d.step(func() {
		d.gh.Set(1001, "completed", "failure", githubtest.Job{Name: "build", Status: "completed", Conclusion: "success"},
			githubtest.Job{Name: "deploy", Status: "completed", Conclusion: "failure"}, githubtest.Job{Name: "smoke", Status: "completed", Conclusion: "skipped"})
	})
	d.wired.Deploys.Wait()

	thread := d.posts(opsRoom)
	if len(thread) != 1 || thread[0].Form.Get("thread_ts") != "1800000000.000002" {
		t.Fatalf("posts in the ops room: %v (want one progress message in the request's thread)", thread)
	}
	ups := d.progress(thread[0].TS)
	if len(ups) < 3 {
		t.Fatalf("updates %v", ups)
	}
	has(t, "in progress", ups[len(ups)-2], "in progress", "✅ build", "🔄 deploy", "Run: "+githubtest.RunURL(1001))
	has(t, "final", ups[len(ups)-1], "FAILED", "Failed in job *deploy*: log "+githubtest.JobURL(1001, 1), "Run: "+githubtest.RunURL(1001), "took 20s")
	audits := d.posts("C0AUDITS1")[1:] // after the 2fa enrolment
	if len(audits) != 1 {
		t.Fatalf("audit room: %v", audits)
	}
	has(t, "audit room", audits[0].Form.Get("blocks"), "deploy api v1.2.3 ("+c2[:7]+") to production: failure", "failed in job deploy", githubtest.JobURL(1001, 1))
	lines := d.auditRows()
	if len(lines) != 4 {
		t.Fatalf("audit log %q", lines)
	}
	has(t, "audit log", strings.Join(lines, "\n"),
		"UALICE true deploy api v1.2.3 to production | deploy api v1.2.3 ("+c2[:7]+") to production (awaiting totp confirmation "+id+")",
		"UALICE true confirm "+id)
	has(t, "audit log", strings.Join(lines, "\n"), "| deploy api v1.2.3 ("+c2[:7]+") to production (deploy D",
		"UALICE true deploy api v1.2.3 to production | deploy api v1.2.3 ("+c2[:7]+") to production: failure (deploy D",
		"| error: failure: failed in job deploy | totp")

	r = d.say(rob, "deploys api", false)
	if rs := rows(t, r); len(rs) != 2 || rs[0][6] != "failure: failed in job deploy" || rs[0][7] != githubtest.JobURL(1001, 1) || rs[0][5] != "20s" || rs[1][6] != "success" {
		t.Errorf("deploys: %v", rs)
	}
}

// TestDeployResumedAfterRestart: a deploy running when opsbot stops is
// followed to its end by the next opsbot, in the same message.
func TestDeployResumedAfterRestart(t *testing.T) {
	d := newDeployWorld(t, nil)
	d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	r := d.say(dan, "deploy api v1.2.3", false) // staging; dan is no operator
	has(t, "prompt", r.Text, "Deploys by deployers who are not operators are approved by an operator.")
	r = d.say(alice, "approve "+confirmID(t, r), false)
	if r.Ephemeral {
		t.Fatalf("confirmed: %+v", r)
	}
	d.step(func() { d.gh.Set(1001, "in_progress", "", githubtest.Job{Name: "deploy", Status: "in_progress"}) })
	d.clk.BlockUntil(1) // it has seen the run in progress
	d.restart()
	d.gh.Set(1001, "completed", "success", githubtest.Job{Name: "deploy", Status: "completed", Conclusion: "success"})
	if n, err := d.wired.Deploys.Resume(context.Background()); err != nil || n != 1 {
		t.Fatalf("resumed %d: %v", n, err)
	}
	d.wired.Deploys.Wait()
	thread := d.posts(opsRoom)
	if len(thread) != 1 {
		t.Fatalf("posts %v", thread)
	}
	ups := d.progress(thread[0].TS)
	has(t, "before the restart", ups[len(ups)-2], "in progress", "🔄 deploy")
	has(t, "after the restart", ups[len(ups)-1], "succeeded", "✅ deploy", "took 10s")
	if n, _ := d.wired.Deploys.Resume(context.Background()); n != 0 {
		t.Errorf("resumed a finished deploy")
	}
	if rs := rows(t, d.say(rob, "deploys", false)); len(rs) != 1 || rs[0][6] != "success" || rs[0][4] != "dan (UDAN)" {
		t.Errorf("deploys: %v", rs)
	}
}

// TestLockAndFreeze: a lock refuses deploys to its environment, saying who
// locked it and why, until unlocked; inside the Friday freeze (Berlin
// time, on the manual clock) a deploy needs a second operator's approval,
// even where its requester would confirm with a button.
func TestLockAndFreeze(t *testing.T) {
	d := newDeployWorld(t, nil)
	d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	if r := d.say(alice, "deploy lock api production release candidate under test", false); r.Ephemeral || r.Title != "Done: deploy lock api production: release candidate under test" {
		t.Fatalf("lock: %+v", r)
	}
	r := d.say(bob, "deploy api v1.2.3 to production", false)
	has(t, "locked", r.Text, "Api is locked (production) by alice (UALICE) since Thu 15:00 CET: release candidate under test", "`deploy unlock api production`")
	if r := d.say(bob, "deploy api v1.2.3 to staging", false); r.Ephemeral {
		t.Errorf("staging is not locked: %+v", r)
	}
	if r := d.say(rob, "deploy unlock api production", false); !r.Ephemeral {
		t.Errorf("a reader unlocked: %+v", r)
	}
	if r := d.say(alice, "deploy unlock api production", false); r.Ephemeral {
		t.Fatalf("unlock: %+v", r)
	}
	if r := d.say(bob, "deploy api v1.2.3 to production", false); r.Ephemeral || !strings.Contains(r.Text, "confirm ") {
		t.Errorf("after unlock: %+v", r)
	}

	d.clk.Set(time.Date(2026, 12, 4, 14, 58, 0, 0, time.UTC)) // Friday 15:58 in Berlin
	early := confirmID(t, d.say(alice, "deploy api v1.2.3", false))
	d.clk.Set(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)) // 16:00: the freeze begins
	if r := d.say(alice, "confirm "+early, false); !r.Ephemeral || !strings.Contains(r.Text, "A freeze began since this was asked") {
		t.Errorf("confirmed into a freeze: %+v", r)
	}
	d.clk.Set(time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)) // Friday 16:30 in Berlin
	r = d.say(alice, "deploy api v1.2.3", false)
	has(t, "frozen", r.Text, "❄ Deploys are frozen now (16:00–24:00 Europe/Berlin: no deploys into the weekend): a second operator must approve", "`approve ")
	id := confirmID(t, r)
	if r := d.say(alice, "confirm "+id, false); !r.Ephemeral || !strings.Contains(r.Text, "approve") {
		t.Errorf("a button in a freeze: %+v", r)
	}
	if r := d.say(bob, "approve "+id, false); r.Ephemeral || !strings.HasPrefix(r.Title, "Deploying:") {
		t.Fatalf("approved: %+v", r)
	}
	d.step(func() { d.gh.Set(1001, "completed", "success") })
	d.wired.Deploys.Wait()
	has(t, "audit log", strings.Join(d.auditRows(), "\n"), "UALICE true deploy api v1.2.3 to staging | deploy api v1.2.3", "to staging: success", "| approved by UBOB (bob)")
}

// TestConcurrentDeploysOfOneService: two confirmations of the same service
// and environment race: one deploy starts, the other is refused; a third
// request meanwhile is refused with a pointer to the running one. Another
// environment is free.
func TestConcurrentDeploysOfOneService(t *testing.T) {
	d := newDeployWorld(t, nil)
	d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	idA := confirmID(t, d.say(alice, "deploy api v1.2.3", false))
	idB := confirmID(t, d.say(bob, "deploy api main", false))
	var wg sync.WaitGroup
	replies := make([]string, 2)
	for i, c := range []struct {
		u  opsbot.User
		id string
	}{{alice, idA}, {bob, idB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := d.say(c.u, "confirm "+c.id, false)
			replies[i] = r.Title + r.Text
		}()
	}
	wg.Wait()
	started := 0
	for _, r := range replies {
		if strings.HasPrefix(r, "Deploying:") {
			started++
		} else {
			has(t, "refused", r, "Api is already being deployed to staging", "one deploy at a time")
		}
	}
	if started != 1 || len(d.gh.Dispatches()) != 1 {
		t.Fatalf("started %d, dispatched %d: %q", started, len(d.gh.Dispatches()), replies)
	}
	d.clk.BlockUntil(1)
	r := d.say(dan, "deploy api v1.2.3", false)
	has(t, "while running", r.Text, "Api is already being deployed to staging", "since Thu 15:00 CET", githubtest.RunURL(1001))
	if r := d.say(dan, "deploy api v1.2.3 to production", false); r.Ephemeral {
		t.Errorf("production is free: %+v", r)
	}
	d.step(func() { d.gh.Set(1001, "completed", "cancelled") })
	d.wired.Deploys.Wait()
	ups := d.progress(d.posts(opsRoom)[0].TS)
	has(t, "final", ups[len(ups)-1], "⏹ Deploy api", "cancelled")
	if r := d.say(dan, "deploy api v1.2.3", false); r.Ephemeral {
		t.Errorf("free again after the end: %+v", r)
	}
}

// TestRefusedNonDeployer: someone not among a service's deployers is
// refused before any confirmation; the refusal is in the audit log and
// posted to the audit room. An unknown service lists the known ones.
func TestRefusedNonDeployer(t *testing.T) {
	d := newDeployWorld(t, nil)
	r := d.say(rob, "deploy api v1.2.3 to production", false)
	if !r.Ephemeral || r.Text != "Only api's deployers (deploys.services.api.deployers) may deploy it" {
		t.Fatalf("refusal: %+v", r)
	}
	want := []string{"UROB false deploy api v1.2.3 to production | deploy api v1.2.3 to production | refused: only api's deployers (deploys.services.api.deployers) may deploy it | "}
	if got := d.auditRows(); !reflect.DeepEqual(got, want) {
		t.Errorf("audit log %q", got)
	}
	if p := d.posts("C0AUDITS1"); len(p) != 1 || !strings.Contains(p[0].Form.Get("blocks"), "refused") {
		t.Errorf("audit room: %v", p)
	}
	if r := d.say(alice, "deploy web", false); !strings.Contains(r.Text, `No service "web" is deployable (deploys.services: api)`) {
		t.Errorf("unknown service: %+v", r)
	}
	if len(d.gh.Requests()) != 0 {
		t.Errorf("GitHub was asked: %v", d.gh.Requests())
	}
}

// TestDispatchedButNoRun: GitHub accepts the dispatch but no run appears:
// after deploys.find_run_within the deploy ends as such, not silently.
func TestDispatchedButNoRun(t *testing.T) {
	d := newDeployWorld(t, nil)
	d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	d.gh.HideRuns()
	d.say(alice, "confirm "+confirmID(t, d.say(alice, "deploy api v1.2.3", false)), false) // staging: a button
	for range int(d.c.Deploys.FindRunWithin / d.c.Deploys.Poll) {
		d.step(nil)
	}
	d.wired.Deploys.Wait()
	ups := d.progress(d.posts(opsRoom)[0].TS)
	has(t, "final", ups[len(ups)-1], "dispatched, run not found", "acme/api deploy.yml accepted the dispatch, but no run of it appeared within 2m")
	if rs := rows(t, d.say(alice, "deploys api", false)); len(rs) != 1 || !strings.HasPrefix(rs[0][6].(string), "not_found") {
		t.Errorf("deploys: %v", rs)
	}
}

// TestRollback: `rollback` redeploys the last successful commit before the
// current one (by SHA), showing the commits it takes back.
func TestRollback(t *testing.T) {
	d := newDeployWorld(t, nil)
	old := d.gh.Commit("Release 1.2.2", "ana", "v1.2.2")
	bad := d.gh.Commit("Release 1.2.3", "bob", "v1.2.3")
	d.seed("DSEED1", "production", "v1.2.2", old, thu.Add(-48*time.Hour))
	d.seed("DSEED2", "production", "v1.2.3", bad, thu.Add(-time.Hour))
	r := d.say(bob, "rollback api to production", false)
	has(t, "prompt", r.Title, "Confirm: rollback api v1.2.2 ("+old[:7]+") to production")
	has(t, "prompt", r.Text, "Now on production: v1.2.3 ("+bad[:7]+")", "Takes back 1 commit(s):", bad[:7]+" Release 1.2.3 (bob)")
	if r := d.say(alice, "rollback api to staging", false); !strings.Contains(r.Text, "No successful deploy of api to staging before the current one") {
		t.Errorf("nothing to roll back to: %+v", r)
	}
}

// TestDeployToProductionDone: with production approved by a second
// operator, `deploy api v1.2.3 to production` goes from request to
// approval to a followed run to done, in one message in the request's
// thread, every step in the audit log.
func TestDeployToProductionDone(t *testing.T) {
	d := newDeployWorld(t, func(c *config.Config) {
		api := c.Deploys.Services["api"]
		api.Envs["production"] = config.DeployEnv{Confirm: "approval"}
	})
	sha := d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	r := d.say(alice, "deploy api v1.2.3 to production", false)
	has(t, "prompt", r.Text, "Now on production: nothing deployed by opsbot yet", "New: v1.2.3 "+sha[:7], "`approve ")
	if r := d.say(bob, "approve "+confirmID(t, r), false); !strings.HasPrefix(r.Title, "Deploying:") {
		t.Fatalf("approved: %+v", r)
	}
	d.step(func() { d.gh.Set(1001, "in_progress", "", githubtest.Job{Name: "deploy", Status: "in_progress"}) })
	d.step(func() {
		d.gh.Set(1001, "completed", "success", githubtest.Job{Name: "deploy", Status: "completed", Conclusion: "success"})
	})
	d.wired.Deploys.Wait()
	thread := d.posts(opsRoom)
	if len(thread) != 1 || thread[0].Form.Get("thread_ts") != "1800000000.000001" {
		t.Fatalf("posts %v", thread)
	}
	ups := d.progress(thread[0].TS)
	has(t, "done", ups[len(ups)-1], "✅ Deploy api v1.2.3 ("+sha[:7]+") → production: succeeded", "✅ deploy", "Run: "+githubtest.RunURL(1001), "approved by UBOB (bob)")
	want := []string{
		"UALICE true deploy api v1.2.3 to production | deploy api v1.2.3 (" + sha[:7] + ") to production (awaiting approval confirmation",
		"UBOB true approve ",
		"UALICE true deploy api v1.2.3 to production | deploy api v1.2.3 (" + sha[:7] + ") to production: success (deploy D",
	}
	got := d.auditRows()
	if len(got) != len(want) {
		t.Fatalf("audit log %q", got)
	}
	for i := range want {
		has(t, "audit row", got[i], want[i])
	}
	has(t, "audit row", got[2], "| ok | approved by UBOB (bob)")
}

// TestDeployTimedOut: a run still going after deploys.timeout ends as
// timed out, said in the thread and in the audit room.
func TestDeployTimedOut(t *testing.T) {
	d := newDeployWorld(t, func(c *config.Config) { c.Deploys.Timeout = time.Minute })
	d.gh.Commit("Release 1.2.3", "ana", "v1.2.3")
	d.say(alice, "confirm "+confirmID(t, d.say(alice, "deploy api v1.2.3", false)), false)
	d.step(func() { d.gh.Set(1001, "in_progress", "", githubtest.Job{Name: "deploy", Status: "in_progress"}) })
	for range 5 {
		d.step(nil)
	}
	d.wired.Deploys.Wait()
	ups := d.progress(d.posts(opsRoom)[0].TS)
	has(t, "final", ups[len(ups)-1], "timed out", "still running after 1m (deploys.timeout)", "🔄 deploy")
	if p := d.posts("C0AUDITS1"); len(p) != 1 || !strings.Contains(p[0].Form.Get("blocks"), "to staging: timed_out") {
		t.Errorf("audit room %v", p)
	}
}

// TestDeployThroughWebhook: a service on a signed webhook is deployed
// with the same flow; its status URL is followed to the end.
func TestDeployThroughWebhook(t *testing.T) {
	secret := "whsec-billing"
	var mu sync.Mutex
	state, posted := "in_progress", 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Method + " " + r.URL.Path {
		case "POST /deploy":
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get("X-Opsbot-Signature") != webhook.Sign([]byte(secret), r.Header.Get("X-Opsbot-Timestamp"), body) {
				w.WriteHeader(401)
				return
			}
			posted++
			io.WriteString(w, `{"id":"b-9"}`)
		case "GET /status/b-9":
			fmt.Fprintf(w, `{"state":%q,"url":"https://ci.example/b-9"}`, state)
		default:
			w.WriteHeader(404)
		}
	}))
	defer hook.Close()
	d := newDeployWorld(t, func(c *config.Config) {
		c.Deploys.Services["billing"] = config.DeployService{Deployers: config.Members{Users: []string{alice.ID}}, DefaultEnv: "production", DefaultRef: "main",
			Envs: map[string]config.DeployEnv{"production": {Confirm: "button"}}, Webhook: &config.DeployWebhook{URL: hook.URL + "/deploy", SecretEnv: "BILLING_HOOK_SECRET", StatusURL: hook.URL + "/status/{id}"}}
	})
	r := d.say(alice, "deploy billing", false)
	has(t, "prompt", r.Text, "New: main via webhook 127.0.0.1")
	if r := d.say(alice, "confirm "+confirmID(t, r), false); !strings.HasPrefix(r.Title, "Deploying:") {
		t.Fatalf("confirmed: %+v", r)
	}
	d.step(func() { mu.Lock(); state = "success"; mu.Unlock() })
	d.wired.Deploys.Wait()
	ups := d.progress(d.posts(opsRoom)[0].TS)
	has(t, "final", ups[len(ups)-1], "Deploy billing main", "succeeded", "Run: https://ci.example/b-9")
	if posted != 1 {
		t.Errorf("webhook posted %d times", posted)
	}
}
