package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/deploy/github/githubtest"
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
