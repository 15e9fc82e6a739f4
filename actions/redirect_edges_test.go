package actions_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare/cloudflaretest"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront/kvstest"
	"github.com/opsbot/opsbot/edge/redirect/fastly/fastlytest"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// threeEdges are the redirect map's loopback edges: a CloudFront
// KeyValueStore (cf), a Fastly dictionary (fd) and a Cloudflare Bulk
// Redirects list (cfr) whose operations stay pending for one poll.
type threeEdges struct {
	kv    *kvstest.Store
	fd    *fastlytest.Dict
	cf    *cloudflaretest.List
	waits *cloudflaretest.Waits
	cfr   actions.Redirector
}

// edgesWorld is the write side with the edges named (of "cf", "fd",
// "cfr") holding the map.
func edgesWorld(t *testing.T, names ...string) (*world, *threeEdges) {
	x := &threeEdges{kv: &kvstest.Store{T: t, Items: map[string]string{}}, fd: &fastlytest.Dict{T: t, Items: map[string]string{}},
		cf: cloudflaretest.New(t, 1), waits: &cloudflaretest.Waits{}}
	x.cfr = cloudflaretest.NewEdge(t, x.cf, x.waits)
	all := map[string]actions.Redirector{"cf": kvstest.NewEdge(t, x.kv), "fd": fastlytest.NewEdge(t, x.fd), "cfr": x.cfr}
	wd := newWorld(t, func(c *config.Config) {
		c.Redirects.Site = "www.example.org"
		c.Redirects.AllowedHosts = []string{"shop.example.org"}
	}, func(d *actions.Deps) {
		for _, n := range names {
			d.Redirectors = append(d.Redirectors, all[n])
		}
	})
	warehousetest.Truncate(t, wd.wired.Skill.Warehouse(), "redirects")
	return wd, x
}

// confirmer confirms a reply's change as alice with a fresh TOTP code.
func confirmer(t *testing.T, wd *world) func(*opsbot.Reply) *opsbot.Reply {
	secret := wd.enroll(alice)
	return func(r *opsbot.Reply) *opsbot.Reply {
		t.Helper()
		wd.clk.Add(31 * time.Second)
		return wd.say(alice, "confirm "+confirmID(t, r)+" "+code(t, secret, wd.clk.Now()), true)
	}
}

// states maps "edge source" to the state `redirects` shows.
func states(t *testing.T, wd *world) map[string]string {
	m := map[string]string{}
	for _, row := range rows(t, wd.say(bob, "redirects", false)) {
		m[row[3].(string)+" "+row[0].(string)] = row[4].(string)
	}
	return m
}

// TestRedirectThreeEdges: through the router, one confirmed change lands
// at CloudFront, Fastly and Cloudflare (each in its own form, Cloudflare
// after polling its bulk operation); `redirects` reconciles each edge's
// hand edits on its own; `redirect test` answers per edge; `unredirect`
// removes the rule everywhere.
func TestRedirectThreeEdges(t *testing.T) {
	wd, x := edgesWorld(t, "cf", "fd", "cfr")
	confirm := confirmer(t, wd)
	must(t, wd.say(alice, "redirect /campaign* /promo 302 spring --dry-run", false), false, "• cf (cloudfront kvs): would add it", "• fd (fastly dictionary): would add it", "• cfr (cloudflare bulk redirects): would add it")
	must(t, confirm(wd.say(alice, "redirect /campaign* /promo 302 spring", false)), false, "Done: redirect /campaign* → /promo (302): spring at cf, fd, cfr", "cf: added (1 rules)", "fd: added (1 rules)", "cfr: added (1 rules)")
	if x.kv.Get("/campaign*") != "302 /promo" || x.fd.Get("/campaign*") != "302 /promo" {
		t.Fatalf("cloudfront %q, fastly %q", x.kv.Get("/campaign*"), x.fd.Get("/campaign*"))
	}
	log := strings.Join(x.cf.Take(), "\n")
	if !strings.Contains(log, `POST `+cloudflaretest.Items+` [{"redirect":{"source_url":"www.example.org/campaign","target_url":"https://www.example.org/promo","status_code":302,"include_subdomains":false,"subpath_matching":true,"preserve_query_string":false,"preserve_path_suffix":false}}]`) ||
		strings.Count(log, "GET "+cloudflaretest.Ops+"op1") != 2 || len(x.waits.Waited()) != 1 {
		t.Fatalf("cloudflare requests\n%s\nwaits %v", log, x.waits.Waited())
	}
	must(t, confirm(wd.say(alice, "redirect /donate-now https://www.example.org/donate", false)), false, "Done", "cfr: added (2 rules)")

	// Hand edits, each at one edge.
	x.fd.Set("/manual", "302 /elsewhere")
	x.fd.Remove("/donate-now")
	x.cf.Add(`{"source_url":"shop.example.org/x","target_url":"https://www.example.org/y","status_code":301}`)
	st := states(t, wd)
	for k, v := range map[string]string{
		"cf /campaign*": "active", "fd /campaign*": "active", "cfr /campaign*": "active", // /promo and https://www.example.org/promo are one target
		"cf /donate-now": "active", "cfr /donate-now": "active", "fd /donate-now": "removed at the edge by hand",
		"fd /manual": "at the edge, not added through opsbot", "cfr shop.example.org/x": "at the edge, not a redirect opsbot can read (the edge skips it)",
	} {
		if st[k] != v {
			t.Errorf("%s: %q, want %q\n(all %v)", k, st[k], v, st)
		}
	}
	must(t, wd.say(bob, "redirect test /campaign/2024/x", false), false,
		"• cf: /campaign/2024/x → 302 Location: /promo (rule /campaign*)", "• fd: /campaign/2024/x → 302 Location: /promo (rule /campaign*)",
		"• cfr: /campaign/2024/x → 302 Location: https://www.example.org/promo (rule /campaign*)")

	must(t, confirm(wd.say(alice, "unredirect /campaign*", false)), false, "Done: unredirect /campaign* at cf, fd, cfr", "cf: removed", "fd: removed", "cfr: removed")
	if x.kv.Get("/campaign*") != "" || x.fd.Get("/campaign*") != "" {
		t.Fatal("still at an edge")
	}
	if rules, err := x.cfr.List(context.Background()); err != nil || len(rules) != 2 {
		t.Fatalf("cloudflare holds %v %v", rules, err)
	}
}

// TestRedirectFastlyOnly: Fastly alone holds the map; its limits (key
// length, a full dictionary, though not for a replacement) are refused
// through the router before anyone confirms, and a change lands.
func TestRedirectFastlyOnly(t *testing.T) {
	wd, x := edgesWorld(t, "fd")
	must(t, wd.say(alice, "redirect /"+strings.Repeat("k", 300)+" /y", false), true, "d: the source is 301 characters long: a Fastly edge dictionary holds keys of up to 256")
	for i := range 1000 {
		x.fd.Set(fmt.Sprintf("/p%04d", i), "301 /x")
	}
	must(t, wd.say(alice, "redirect /full /y", false), true, "a Fastly edge dictionary holds at most 1000 rules and holds 1000: remove some first")
	must(t, wd.say(alice, "redirect /p0007 /y --replace --dry-run", false), false, "would replace /p0007 → /x (301)")
	x.fd.Remove("/p0999")
	confirm := confirmer(t, wd)
	must(t, confirm(wd.say(alice, "redirect /full /y", false)), false, "Done: redirect /full → /y (301) at fd", "fd: added (1000 rules)")
	if x.fd.Get("/full") != "301 /y" {
		t.Fatalf("fastly %q", x.fd.Get("/full"))
	}
}

// TestRedirectCloudflareFails: a failed bulk operation is reported with
// Cloudflare's error, the other edge's change stands, and nothing is
// recorded for Cloudflare.
func TestRedirectCloudflareFails(t *testing.T) {
	wd, x := edgesWorld(t, "fd", "cfr")
	x.cf.Script(0, "exceeded maximum number of list items")
	confirm := confirmer(t, wd)
	must(t, confirm(wd.say(alice, "redirect /a /b", false)), true,
		"fd: added (1 rules)", "cfr: FAILED: cloudflare cfr: bulk operation op1 failed: exceeded maximum number of list items")
	st := states(t, wd)
	if st["fd /a"] != "active" || st["cfr /a"] != "" {
		t.Errorf("states %v", st)
	}
}

// TestRedirectorsFromConfig: the config's Fastly and Cloudflare entries
// become edges with tokens from the environment; a missing token names
// its variable.
func TestRedirectorsFromConfig(t *testing.T) {
	c := config.Redirects{Site: "www.example.org",
		Fastly:     []config.FastlyRedirects{{Name: "fd", ServiceID: "svc1", DictionaryID: "dict1", TokenEnv: "T_FASTLY"}},
		Cloudflare: []config.CloudflareRedirects{{Name: "cfr", AccountID: cloudflaretest.Account, ListID: "list1", TokenEnv: "T_CF"}}}
	env := map[string]string{"T_FASTLY": "a"}
	_, err := actions.Redirectors(context.Background(), c, func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "redirects cfr: set T_CF to a Cloudflare API token") {
		t.Fatalf("missing token: %v", err)
	}
	env["T_CF"] = "b"
	edges, err := actions.Redirectors(context.Background(), c, func(k string) string { return env[k] })
	if err != nil || len(edges) != 2 || edges[0].Kind() != "fastly dictionary" || edges[1].Name() != "cfr" || edges[1].Caps().Store != "a Cloudflare Bulk Redirects list" {
		t.Fatalf("edges %v %v", edges, err)
	}
}
