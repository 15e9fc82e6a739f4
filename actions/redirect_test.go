package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront/kvstest"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var rita = opsbot.User{ID: "URITA", Name: "rita"} // reader, and in access.redirectors

// redirectWorld is the write side with a loopback CloudFront KeyValueStore
// holding the redirect map.
func redirectWorld(t *testing.T) (*world, *kvstest.Store) {
	kv := &kvstest.Store{T: t, Items: map[string]string{}}
	wd := newWorld(t, func(c *config.Config) {
		c.Redirects.Site = "www.example.org"
		c.Redirects.AllowedHosts = []string{"shop.example.org"}
		c.Access.Readers.Users = append(c.Access.Readers.Users, rita.ID)
		c.Access.Redirectors.Users = []string{rita.ID}
	}, func(d *actions.Deps) {
		d.Redirectors = []actions.Redirector{kvstest.NewEdge(t, kv)}
	})
	warehousetest.Truncate(t, wd.wired.Skill.Warehouse(), "redirects")
	return wd, kv
}

func must(t *testing.T, r *opsbot.Reply, ephemeral bool, parts ...string) {
	t.Helper()
	all := r.Title + "\n" + r.Text
	for _, p := range parts {
		if !strings.Contains(all, p) {
			t.Fatalf("want %q in\n%s\n(%+v)", p, all, r)
		}
	}
	if r.Ephemeral != ephemeral {
		t.Fatalf("ephemeral %v, want %v: %s", r.Ephemeral, ephemeral, all)
	}
}

// TestRedirectConfirmListTestAudit is the story: an operator adds
// /donate-now → https://www.example.org/donate, confirms it with a TOTP
// code, sees it in `redirects` and `redirect test`, and it is audited and
// posted; the store received exactly that key and value.
func TestRedirectConfirmListTestAudit(t *testing.T) {
	wd, kv := redirectWorld(t)
	must(t, wd.say(rob, "redirect /donate-now https://www.example.org/donate", false), true, "operators and access.redirectors only")
	secret := wd.enroll(alice)

	r := wd.say(alice, "redirect /donate-now https://www.example.org/donate", false)
	must(t, r, false, "Confirm: redirect /donate-now → https://www.example.org/donate (301) at cf", "Requests for /donate-now, last 24h: 0")
	id := confirmID(t, r)
	if kv.Get("/donate-now") != "" {
		t.Fatal("written before confirmation")
	}
	wd.clk.Add(40 * time.Second)
	r = wd.say(alice, "confirm "+id+" "+code(t, secret, wd.clk.Now()), true)
	must(t, r, false, "Done: redirect /donate-now → https://www.example.org/donate (301) at cf", "cf: added (1 rules)")
	if got := kv.Get("/donate-now"); got != "301 https://www.example.org/donate" {
		t.Fatalf("store holds %q", got)
	}

	rs := rows(t, wd.say(bob, "redirects", false))
	if len(rs) != 1 || rs[0][0] != "/donate-now" || rs[0][1] != "https://www.example.org/donate" || rs[0][2] != uint64(301) ||
		rs[0][3] != "cf" || rs[0][4] != "active" || rs[0][5] != "alice (UALICE)" {
		t.Fatalf("redirects %v", rs)
	}
	must(t, wd.say(bob, "redirect test /donate-now", false), false,
		"cf: /donate-now → 301 Location: https://www.example.org/donate (rule /donate-now)", "Requests for /donate-now, last 24h")
	must(t, wd.say(bob, "redirect test /donate", false), false, "no redirect: the request goes to the origin")

	audit := strings.Join(wd.audit(), "\n")
	for _, want := range []string{
		"UROB false redirect /donate-now https://www.example.org/donate | redirect /donate-now https://www.example.org/donate | refused: the redirect map is changed and read by operators and access.redirectors only",
		"UALICE true redirect /donate-now https://www.example.org/donate | redirect /donate-now → https://www.example.org/donate (301) at cf (awaiting totp confirmation " + id + ") | ok",
		"UALICE true confirm " + id + " ****** | redirect /donate-now → https://www.example.org/donate (301) at cf | ok | totp",
		"UBOB true redirects | redirects | ok",
	} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks\n%s\nin\n%s", want, audit)
		}
	}
	if !strings.Contains(strings.Join(wd.slack.titles(), "\n"), "tech-audits redirect /donate-now → https://www.example.org/donate (301) at cf: done") {
		t.Errorf("audit room %q", wd.slack.titles())
	}
}

// TestRedirectRefusals: open redirects, loops, chains, conflicts and bad
// statuses are refused (or sent to an operator's approval) through the
// router, before anyone confirms anything, and nothing reaches the edge.
func TestRedirectRefusals(t *testing.T) {
	wd, kv := redirectWorld(t)
	kv.Set("/donate-now", "301 https://www.example.org/donate")
	kv.Set("/old", "301 /new")
	kv.Take()
	for text, why := range map[string]string{
		`redirect /x https://evil.com\@www.example.org`: "backslash",
		"redirect /x //evil.com":                        "only https targets",
		"redirect /x https:evil.com":                    "only https targets",
		"redirect /x javascript:alert(1)":               "only https targets",
		"redirect /x https://www.example.org@evil.com/": "user part",
		"redirect /x https://www.example.org:8443/":     "port",
		"redirect /x https://www.example.org./":         "trailing dot",
		"redirect /x https://www.exämple.org/":          "plain ASCII",
		"redirect /a/../admin /x":                       `".." segment`,
		"redirect /a /a":                                "covers itself",
		"redirect /new /old":                            "a loop: /new → /old → /new",
		"redirect /give /donate-now":                    "point it straight there: `redirect /give https://www.example.org/donate 301`",
		"redirect /x https://www.example.org/old":       "point it straight there",
		"redirect /donate-now /elsewhere":               "add --replace",
		"redirect /x /y 303":                            "301, 302, 307 or 308",
		"redirect /x":                                   "Usage",
		"redirect /" + strings.Repeat("k", 600) + " /y": "holds keys of up to 512",
		"redirect /a/b/c/d/e/f/g/h/i* /y":               "up to 8 deep",
	} {
		must(t, wd.say(alice, text, false), true, why)
	}
	if got := kv.Take(); len(got) != 0 && strings.Contains(strings.Join(got, " "), "PUT") {
		t.Errorf("written: %q", got)
	}

	// Another host needs a second operator's approval, whoever asks.
	r := wd.say(alice, "redirect /partner https://partner.example.net/landing 302", false)
	must(t, r, false, "not on redirects.allowed_hosts", "needs a second operator")
	id := confirmID(t, r)
	must(t, wd.say(alice, "approve "+id, false), true, "second operator")
	must(t, wd.say(bob, "approve "+id, false), false, "Done: redirect /partner → https://partner.example.net/landing (302)")
	if kv.Get("/partner") != "302 https://partner.example.net/landing" {
		t.Fatalf("store %q", kv.Get("/partner"))
	}

	// A redirector who is no operator: an operator approves; an allowed host is fine.
	r = wd.say(rita, "redirect /shop https://shop.example.org/ 307", false)
	must(t, r, false, "approved by an operator")
	must(t, wd.say(bob, "approve "+confirmID(t, r), false), false, "Done: redirect /shop → https://shop.example.org/ (307)")

	// --replace lifts the conflict; --dry-run changes nothing.
	must(t, wd.say(alice, "redirect /donate-now /give-today --replace --dry-run", false), false, "Dry run", "would replace /donate-now → https://www.example.org/donate (301)")
	if kv.Get("/donate-now") != "301 https://www.example.org/donate" {
		t.Fatal("dry run changed the store")
	}
}

// TestRedirectHandEditsAndRemove: rules added or removed at the edge by
// hand show as such in `redirects`; `unredirect` removes a rule after
// confirmation.
func TestRedirectHandEditsAndRemove(t *testing.T) {
	wd, kv := redirectWorld(t)
	secret := wd.enroll(alice)
	confirm := func(r *opsbot.Reply) *opsbot.Reply {
		wd.clk.Add(31 * time.Second)
		return wd.say(alice, "confirm "+confirmID(t, r)+" "+code(t, secret, wd.clk.Now()), true)
	}
	must(t, confirm(wd.say(alice, "redirect /a https://www.example.org/x", false)), false, "Done")
	must(t, confirm(wd.say(alice, "redirect /campaign* /promo 302 spring sale", false)), false, "Done")
	kv.Set("/manual", "302 /elsewhere")
	kv.Set("/junk", "not a redirect")
	kv.Remove("/a") // removed by hand at the edge

	states := map[string]string{}
	for _, row := range rows(t, wd.say(bob, "redirects", false)) {
		states[row[0].(string)] = row[4].(string)
	}
	want := map[string]string{"/a": "removed at the edge by hand", "/campaign*": "active", "/manual": "at the edge, not added through opsbot",
		"/junk": "at the edge, not a redirect opsbot can read (the edge skips it)"}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: %q, want %q (all %v)", k, states[k], v, states)
		}
	}
	if rs := rows(t, wd.say(bob, "redirects campaign", false)); len(rs) != 1 || rs[0][7] != "spring sale" {
		t.Errorf("filtered %v", rs)
	}
	must(t, wd.say(bob, "redirect test /campaign/2024/x", false), false, "/campaign/2024/x → 302 Location: /promo (rule /campaign*)")

	must(t, wd.say(alice, "unredirect /nothing", false), true, "No edge holds a rule for /nothing")
	must(t, confirm(wd.say(alice, "unredirect /campaign/*", false)), false, "Done: unredirect /campaign* at cf", "cf: removed")
	if kv.Get("/campaign*") != "" {
		t.Fatal("still at the edge")
	}
	for _, row := range rows(t, wd.say(bob, "redirects", false)) {
		if row[0] == "/campaign*" {
			t.Errorf("removed rule listed: %v", row)
		}
	}
}
