package fastly_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/fastly"
	"github.com/opsbot/opsbot/edge/redirect/fastly/fastlytest"
)

func setup(t *testing.T, items map[string]string) (*fastlytest.Dict, *fastly.Edge) {
	f := &fastlytest.Dict{T: t, Items: items}
	return f, fastlytest.NewEdge(t, f)
}

func join(s []string) string { return strings.Join(s, "\n") }

// TestPutListDelete: the exact requests of a put, a prefix rule, a delete
// and a delete of a key that is gone; hand-written items are listed.
func TestPutListDelete(t *testing.T) {
	f, e := setup(t, map[string]string{"/hand": "edited by hand"})
	ctx := context.Background()
	st, err := e.Put(ctx, redirect.Rule{From: "/caf%C3%A9", To: "https://www.example.org/coffee?a=1&b=2", Status: 301})
	if err != nil || !st.Changed || st.Used != 2 || st.Limit != 1000 {
		t.Fatalf("put: %+v %v", st, err)
	}
	want := []string{
		"GET " + fastlytest.Base + "/items?page=1&per_page=100",
		"PUT " + fastlytest.Base + "/item/%2Fcaf%25C3%25A9? item_value=301+https%3A%2F%2Fwww.example.org%2Fcoffee%3Fa%3D1%26b%3D2",
	}
	if got := f.Take(); join(got) != join(want) {
		t.Errorf("requests\n%s\nwant\n%s", join(got), join(want))
	}
	if f.Get("/caf%C3%A9") != "301 https://www.example.org/coffee?a=1&b=2" {
		t.Errorf("item %q", f.Get("/caf%C3%A9"))
	}
	if _, err := e.Put(ctx, redirect.Rule{From: "/campaign*", To: "/promo", Status: 302}); err != nil {
		t.Fatal(err)
	}
	if got := f.Take(); got[1] != "PUT "+fastlytest.Base+"/item/%2Fcampaign%2A? item_value=302+%2Fpromo" {
		t.Errorf("prefix put %q", got)
	}
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 3 || rules[1] != (redirect.Rule{From: "/campaign*", To: "/promo", Status: 302}) ||
		rules[2] != (redirect.Rule{From: "/hand", To: "edited by hand"}) {
		t.Fatalf("list %v %v", rules, err)
	}
	f.Take()
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := f.Take(); len(got) != 2 || got[1] != "DELETE "+fastlytest.Base+"/item/%2Fcampaign%2A?" {
		t.Errorf("delete requests %q", got)
	}
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || st.Changed {
		t.Fatalf("delete again: %+v %v", st, err)
	}
	if got := f.Take(); len(got) != 1 {
		t.Errorf("deleted a key the dictionary does not hold: %q", got)
	}
}

// TestPagination: a dictionary of 250 items is read in three pages.
func TestPagination(t *testing.T) {
	items := map[string]string{}
	for i := range 250 {
		items[fmt.Sprintf("/p%03d", i)] = "301 /x"
	}
	f, e := setup(t, items)
	rules, err := e.List(context.Background())
	if err != nil || len(rules) != 250 || rules[249].From != "/p249" {
		t.Fatalf("list: %d rules, %v", len(rules), err)
	}
	want := []string{"GET " + fastlytest.Base + "/items?page=1&per_page=100", "GET " + fastlytest.Base + "/items?page=2&per_page=100", "GET " + fastlytest.Base + "/items?page=3&per_page=100"}
	if got := f.Take(); join(got) != join(want) {
		t.Errorf("requests %q", got)
	}
}

// TestLimits: keys over 256 characters and values over 8000 are refused
// before any request; a full dictionary refuses a new key, not a
// replacement.
func TestLimits(t *testing.T) {
	items := map[string]string{}
	for i := range 1000 {
		items[fmt.Sprintf("/p%04d", i)] = "301 /x"
	}
	f, e := setup(t, items)
	ctx := context.Background()
	_, err := e.Put(ctx, redirect.Rule{From: "/" + strings.Repeat("é", 256), To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "257 characters long: a Fastly edge dictionary holds keys of up to 256") {
		t.Errorf("long key: %v", err)
	}
	_, err = e.Put(ctx, redirect.Rule{From: "/a", To: "https://www.example.org/" + strings.Repeat("v", 7980), Status: 301})
	if err == nil || !strings.Contains(err.Error(), "values of up to 8000 characters, this one is 8008") {
		t.Errorf("long value: %v", err)
	}
	if got := f.Take(); len(got) != 0 {
		t.Errorf("asked Fastly: %q", got)
	}
	_, err = e.Put(ctx, redirect.Rule{From: "/new", To: "/b", Status: 301})
	if !errors.Is(err, edge.ErrFull) || !strings.Contains(err.Error(), "holds 1000 items, its limit is 1000") {
		t.Errorf("full: %v", err)
	}
	if st, err := e.Put(ctx, redirect.Rule{From: "/p0007", To: "/b", Status: 308}); err != nil || st.Used != 1000 {
		t.Errorf("replace in a full dictionary: %+v %v", st, err)
	}
	if f.Get("/new") != "" || f.Get("/p0007") != "308 /b" {
		t.Errorf("items /new %q /p0007 %q", f.Get("/new"), f.Get("/p0007"))
	}
}

// TestRetriesAndRefusals: a 503 is retried, a 401 is not, and its error
// says the credentials were refused.
func TestRetriesAndRefusals(t *testing.T) {
	f, e := setup(t, map[string]string{})
	f.Fail = []int{503}
	if _, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301}); err != nil || f.Get("/a") != "301 /b" {
		t.Fatalf("after a 503: %v %v", err, f.Get("/a"))
	}
	f.Fail = []int{401}
	_, err := e.List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "credentials refused") || len(f.Fail) != 0 {
		t.Errorf("401: %v", err)
	}
}
