package actions_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
)

// sayTerminal sends text as u from the terminal chat.
func (wd *world) sayTerminal(u opsbot.User, text string) *opsbot.Reply {
	wd.clk.Add(time.Second)
	return wd.bot.Handle(context.Background(), &opsbot.Request{User: u, Text: text, Transport: "terminal", Now: wd.clk.Now()})
}

func csvFile(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "map.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRedirectImport: a CSV of rules is previewed row by row (added,
// replaced, refused by the same policy as `redirect`); a refused row
// stops the whole import unless --skip-bad; the rest is one change,
// confirmed with TOTP, written at every edge and recorded. Over Slack the
// path form is refused.
func TestRedirectImport(t *testing.T) {
	wd, x := edgesWorld(t, "cf", "fd")
	x.kv.Set("/old", "301 /new")
	x.fd.Set("/old", "301 /new")
	p := csvFile(t, "source,target,status\n/a,https://www.example.org/x\n/old,/newer,308\n/loop,/loop\n/b,javascript:alert(1)\n/c,/d,303\n/a,/y\n")

	must(t, wd.say(alice, "redirects import "+p, false), true, "terminal chat (`opsbot chat`) only")
	r := wd.sayTerminal(alice, "redirects import "+p)
	must(t, r, true, "Import refused: 4 of 6 rows cannot be added", "add --skip-bad")
	verdicts := map[string]string{}
	for _, row := range r.Table.Rows {
		verdicts[fmt.Sprint(row[1], "@", row[0])] = row[4].(string)
	}
	for k, v := range map[string]string{"/a@2": "add", "/old@3": "replace /new", "/loop@4": "REFUSED: cf: /loop would redirect to /loop, which it covers itself",
		"/b@5": "REFUSED: target: \"javascript:alert(1)\" is neither", "/c@6": "REFUSED: status 303", "/a@7": "REFUSED: /a is on line 2 already"} {
		if !strings.HasPrefix(verdicts[k], v) {
			t.Errorf("%s: %q, want %q…\n(all %v)", k, verdicts[k], v, verdicts)
		}
	}
	must(t, wd.sayTerminal(alice, "redirects import "+p+" --skip-bad --dry-run"), false, "Dry run: redirects import "+p+": 2 rules at cf, fd (4 rows skipped)")

	secret := wd.enroll(alice)
	r = wd.sayTerminal(alice, "redirects import "+p+" --skip-bad")
	must(t, r, false, "Confirm: redirects import "+p+": 2 rules at cf, fd (4 rows skipped)")
	if x.kv.Get("/a") != "" {
		t.Fatal("written before confirmation")
	}
	wd.clk.Add(31 * time.Second)
	r = wd.say(alice, "confirm "+confirmID(t, r)+" "+code(t, secret, wd.clk.Now()), true)
	must(t, r, false, "Done: redirects import", "cf: 2 rules written", "fd: 2 rules written")
	for _, g := range []func(string) string{x.kv.Get, x.fd.Get} {
		if g("/a") != "301 https://www.example.org/x" || g("/old") != "308 /newer" || g("/loop") != "" {
			t.Errorf("edge holds /a %q /old %q /loop %q", g("/a"), g("/old"), g("/loop"))
		}
	}
	st := states(t, wd)
	if st["cf /a"] != "active" || st["fd /old"] != "active" {
		t.Errorf("records %v", st)
	}
}
