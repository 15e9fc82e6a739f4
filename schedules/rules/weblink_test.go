package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/schedules/rules"
)

// TestDigLinksToItsPage: with web.base_url set, a warning's dig phrase
// links to its answer's page.
func TestDigLinksToItsPage(t *testing.T) {
	wd := newWorld(t, only5xx(ptr(0.10)))
	wd.eng = rules.New(rules.Options{Rules: wd.rules, Warehouse: wd.w, Store: wd.store, Sender: wd.sender,
		GroupWait: 30 * time.Second, WebURL: "https://opsbot.example.com/"})
	outage(wd)
	play(t, wd, -1)
	first := wd.posts.msgs[0].Reply
	want := "dig: `opsbot top 5xx by path last 15m` · https://opsbot.example.com/ask?q=top+5xx+by+path+last+15m"
	if !strings.Contains(first.Text, want) {
		t.Fatalf("first post lacks %q:\n%s", want, first.Text)
	}
}
