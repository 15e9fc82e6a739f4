package cloudflare_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare/cloudflaretest"
)

func setup(t *testing.T, pending int) (*cloudflaretest.List, *cloudflare.Edge, *cloudflaretest.Waits) {
	f := cloudflaretest.New(t, pending)
	w := &cloudflaretest.Waits{}
	return f, cloudflaretest.NewEdge(t, f, w), w
}

func join(s []string) string { return strings.Join(s, "\n") }

// TestPutPollsUntilCompleted: a rule becomes one POSTed item whose
// operation is polled, a second apart on the clock, until completed.
func TestPutPollsUntilCompleted(t *testing.T) {
	f, e, w := setup(t, 2)
	ctx := context.Background()
	st, err := e.Put(ctx, redirect.Rule{From: "/campaign*", To: "/promo?x=1", Status: 302})
	if err != nil || !st.Changed || st.Used != 1 {
		t.Fatalf("put: %+v %v", st, err)
	}
	want := []string{
		"GET " + cloudflaretest.Items + "?per_page=500",
		"POST " + cloudflaretest.Items + ` [{"redirect":{"source_url":"www.example.org/campaign","target_url":"https://www.example.org/promo?x=1","status_code":302,"include_subdomains":false,"subpath_matching":true,"preserve_query_string":false,"preserve_path_suffix":false}}]`,
		"GET " + cloudflaretest.Ops + "op1", "GET " + cloudflaretest.Ops + "op1", "GET " + cloudflaretest.Ops + "op1",
	}
	if got := f.Take(); join(got) != join(want) {
		t.Errorf("requests\n%s\nwant\n%s", join(got), join(want))
	}
	if len(w.Waited()) != 2 || w.Waited()[0] != time.Second || w.Waited()[1] != time.Second {
		t.Errorf("waits %v", w.Waited())
	}
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 1 || rules[0] != (redirect.Rule{From: "/campaign*", To: "https://www.example.org/promo?x=1", Status: 302}) {
		t.Errorf("list %v %v", rules, err)
	}
	// The same rule again: no change, no operation.
	f.Take()
	if st, err := e.Put(ctx, redirect.Rule{From: "/campaign*", To: "https://www.example.org/promo?x=1", Status: 302}); err != nil || st.Changed {
		t.Errorf("same rule: %+v %v", st, err)
	}
	if got := f.Take(); len(got) != 1 {
		t.Errorf("same rule sent %q", got)
	}
}

// TestReplaceAndDelete: replacing deletes the old item (its own
// operation) before adding; deleting sends the item's id; hand-added
// items on other hosts or with other options are listed as unreadable
// and left alone; the list is read across cursor pages.
func TestReplaceAndDelete(t *testing.T) {
	f, e, _ := setup(t, 0)
	f.Add(`{"source_url":"www.example.org/old","target_url":"https://www.example.org/new","status_code":301}`)
	f.Add(`{"source_url":"shop.example.org/x","target_url":"https://www.example.org/y","status_code":301}`)
	f.Add(`{"source_url":"https://www.example.org/q","target_url":"https://www.example.org/z","status_code":301,"preserve_query_string":true}`)
	ctx := context.Background()
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 3 || rules[0] != (redirect.Rule{From: "/old", To: "https://www.example.org/new", Status: 301}) ||
		rules[1].Status != 0 || rules[1].From != "shop.example.org/x" || rules[2].Status != 0 {
		t.Fatalf("list %v %v", rules, err)
	}
	want := []string{"GET " + cloudflaretest.Items + "?per_page=500", "GET " + cloudflaretest.Items + "?cursor=2&per_page=500"}
	if got := f.Take(); join(got) != join(want) {
		t.Errorf("pages %q", got)
	}
	st, err := e.Put(ctx, redirect.Rule{From: "/old", To: "https://www.example.org/newer", Status: 308})
	if err != nil || !st.Changed || st.Used != 3 {
		t.Fatalf("replace: %+v %v", st, err)
	}
	got := f.Take()
	if len(got) != 6 || got[2] != "DELETE "+cloudflaretest.Items+` {"items":[{"id":"i1"}]}` || got[3] != "GET "+cloudflaretest.Ops+"op1" || !strings.HasPrefix(got[4], "POST ") {
		t.Errorf("replace requests\n%s", join(got))
	}
	if st, err := e.Delete(ctx, "/old"); err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := f.Take(); got[len(got)-2] != "DELETE "+cloudflaretest.Items+` {"items":[{"id":"i4"}]}` {
		t.Errorf("delete requests\n%s", join(got))
	}
	if st, err := e.Delete(ctx, "/old"); err != nil || st.Changed {
		t.Fatalf("delete again: %+v %v", st, err)
	}
	if rules, _ := e.List(ctx); len(rules) != 2 {
		t.Errorf("hand items touched: %v", rules)
	}
}

// TestFailedAndStuckOperations: a failed operation's error reaches the
// caller; one still pending after PollFor is given up on, saying so.
func TestFailedAndStuckOperations(t *testing.T) {
	f, e, _ := setup(t, 1)
	f.Script(1, "duplicate source URL in list")
	_, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "bulk operation op1 failed: duplicate source URL in list") {
		t.Fatalf("failed operation: %v", err)
	}
	if got := f.Take(); len(got) != 4 {
		t.Errorf("failed operation's requests %q", got)
	}
	f.Script(1000, "")
	_, err = e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "bulk operation op2 still pending after 2m0s") {
		t.Fatalf("stuck operation: %v", err)
	}
	if n := len(f.Take()); n != 2+121 {
		t.Errorf("%d requests, want 2 and 121 polls", n)
	}
}
