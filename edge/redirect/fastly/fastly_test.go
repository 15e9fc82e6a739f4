package fastly_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/fastly"
)

// fakeDict is Fastly's dictionary item API for service svc1, dictionary
// dict1, as the API reference documents it: GET …/items (page, per_page),
// PUT …/item/{key} (form item_value), DELETE …/item/{key}; keys one
// %-escaped path segment; header Fastly-Key.
type fakeDict struct {
	t     *testing.T
	mu    sync.Mutex
	items map[string]string
	log   []string
	fail  []int
}

const dictBase = "/service/svc1/dictionary/dict1"

func (f *fakeDict) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+" "+string(b)))
	if k := r.Header.Get("Fastly-Key"); k != "fastly-tok" {
		f.t.Errorf("Fastly-Key %q", k)
	}
	if len(f.fail) > 0 {
		w.WriteHeader(f.fail[0])
		fmt.Fprintf(w, `{"msg":"status %d"}`, f.fail[0])
		f.fail = f.fail[1:]
		return
	}
	key, isItem := strings.CutPrefix(r.URL.EscapedPath(), dictBase+"/item/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == dictBase+"/items":
		f.list(w, r)
	case isItem && !strings.Contains(key, "/") && r.Method == http.MethodPut:
		f.put(w, r, key, b)
	case isItem && !strings.Contains(key, "/") && r.Method == http.MethodDelete:
		f.delete(w, key)
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (f *fakeDict) sorted() []string {
	var keys []string
	for k := range f.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (f *fakeDict) list(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if page < 1 || per != 100 {
		f.t.Errorf("query %s", r.URL.RawQuery)
	}
	keys := f.sorted()
	out := []map[string]string{}
	for _, k := range keys[min((page-1)*per, len(keys)):min(page*per, len(keys))] {
		out = append(out, map[string]string{"dictionary_id": "dict1", "service_id": "svc1", "item_key": k, "item_value": f.items[k],
			"created_at": "2026-11-24T05:00:00Z", "updated_at": "2026-11-24T05:00:00Z", "deleted_at": ""})
	}
	json.NewEncoder(w).Encode(out)
}

func (f *fakeDict) put(w http.ResponseWriter, r *http.Request, escKey string, b []byte) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.t.Errorf("Content-Type %q", ct)
	}
	key, _ := url.PathUnescape(escKey)
	form, err := url.ParseQuery(string(b))
	if err != nil || len(form) != 1 || len(form["item_value"]) != 1 {
		f.t.Errorf("form %q", b)
	}
	f.items[key] = form.Get("item_value")
	json.NewEncoder(w).Encode(map[string]string{"dictionary_id": "dict1", "service_id": "svc1", "item_key": key, "item_value": f.items[key]})
}

func (f *fakeDict) delete(w http.ResponseWriter, escKey string) {
	key, _ := url.PathUnescape(escKey)
	if _, ok := f.items[key]; !ok {
		w.WriteHeader(404)
		io.WriteString(w, `{"msg":"Record not found","detail":"Couldn't find dictionary item"}`)
		return
	}
	delete(f.items, key)
	io.WriteString(w, `{"status":"ok"}`)
}

// take returns the requests logged since the last take.
func (f *fakeDict) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

func setup(t *testing.T, items map[string]string) (*fakeDict, *fastly.Edge) {
	f := &fakeDict{t: t, items: items}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, fastly.New(fastly.Options{Name: "fd", ServiceID: "svc1", DictionaryID: "dict1", Token: "fastly-tok", Endpoint: srv.URL,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }})
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
		"GET " + dictBase + "/items?page=1&per_page=100",
		"PUT " + dictBase + "/item/%2Fcaf%25C3%25A9? item_value=301+https%3A%2F%2Fwww.example.org%2Fcoffee%3Fa%3D1%26b%3D2",
	}
	if got := f.take(); join(got) != join(want) {
		t.Errorf("requests\n%s\nwant\n%s", join(got), join(want))
	}
	if f.items["/caf%C3%A9"] != "301 https://www.example.org/coffee?a=1&b=2" {
		t.Errorf("items %v", f.items)
	}
	if _, err := e.Put(ctx, redirect.Rule{From: "/campaign*", To: "/promo", Status: 302}); err != nil {
		t.Fatal(err)
	}
	if got := f.take(); got[1] != "PUT "+dictBase+"/item/%2Fcampaign%2A? item_value=302+%2Fpromo" {
		t.Errorf("prefix put %q", got)
	}
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 3 || rules[1] != (redirect.Rule{From: "/campaign*", To: "/promo", Status: 302}) ||
		rules[2] != (redirect.Rule{From: "/hand", To: "edited by hand"}) {
		t.Fatalf("list %v %v", rules, err)
	}
	f.take()
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := f.take(); len(got) != 2 || got[1] != "DELETE "+dictBase+"/item/%2Fcampaign%2A?" {
		t.Errorf("delete requests %q", got)
	}
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || st.Changed {
		t.Fatalf("delete again: %+v %v", st, err)
	}
	if got := f.take(); len(got) != 1 {
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
	want := []string{"GET " + dictBase + "/items?page=1&per_page=100", "GET " + dictBase + "/items?page=2&per_page=100", "GET " + dictBase + "/items?page=3&per_page=100"}
	if got := f.take(); join(got) != join(want) {
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
	if got := f.take(); len(got) != 0 {
		t.Errorf("asked Fastly: %q", got)
	}
	_, err = e.Put(ctx, redirect.Rule{From: "/new", To: "/b", Status: 301})
	if !errors.Is(err, edge.ErrFull) || !strings.Contains(err.Error(), "holds 1000 items, its limit is 1000") {
		t.Errorf("full: %v", err)
	}
	if st, err := e.Put(ctx, redirect.Rule{From: "/p0007", To: "/b", Status: 308}); err != nil || st.Used != 1000 {
		t.Errorf("replace in a full dictionary: %+v %v", st, err)
	}
	if f.items["/new"] != "" || f.items["/p0007"] != "308 /b" {
		t.Errorf("items /new %q /p0007 %q", f.items["/new"], f.items["/p0007"])
	}
}

// TestRetriesAndRefusals: a 503 is retried, a 401 is not, and its error
// says the credentials were refused.
func TestRetriesAndRefusals(t *testing.T) {
	f, e := setup(t, map[string]string{})
	f.fail = []int{503}
	if _, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301}); err != nil || f.items["/a"] != "301 /b" {
		t.Fatalf("after a 503: %v %v", err, f.items)
	}
	f.fail = []int{401}
	_, err := e.List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "credentials refused") || len(f.fail) != 0 {
		t.Errorf("401: %v", err)
	}
}
