package cloudflare_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare"
	"github.com/opsbot/opsbot/internal/clocktest"
)

const (
	acct  = "0123456789abcdef0123456789abcdef"
	items = "/accounts/" + acct + "/rules/lists/list1/items"
	ops   = "/accounts/" + acct + "/rules/lists/bulk_operations/"
)

// fakeList is the Lists API of one account for a list of kind redirect,
// as Cloudflare's API reference documents it: GET items (cursor pages),
// POST and DELETE items answered with an operation ID, the operation
// polled at bulk_operations/{id}: pending for Pending polls, then
// completed (the change applied), or failed with FailWith.
type fakeList struct {
	t        *testing.T
	mu       sync.Mutex
	items    []json.RawMessage // each {"id":…, "redirect":{…}}
	next     int
	log      []string
	Pending  int
	FailWith string
	ops      map[string]*op
}

type op struct {
	polls int
	apply func()
}

func newFake(t *testing.T, pending int) *fakeList {
	return &fakeList{t: t, Pending: pending, ops: map[string]*op{}}
}

func (f *fakeList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(b)))
	if got := r.Header.Get("Authorization"); got != "Bearer cf-token" {
		f.t.Errorf("Authorization %q", got)
	}
	switch {
	case r.URL.Path == items && r.Method == http.MethodGet:
		f.list(w, r)
	case r.URL.Path == items && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		if r.Header.Get("Content-Type") != "application/json" {
			f.t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		f.start(w, r.Method, b)
	case strings.HasPrefix(r.URL.Path, ops) && r.Method == http.MethodGet:
		f.poll(w, strings.TrimPrefix(r.URL.Path, ops))
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (f *fakeList) list(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("per_page") != "500" {
		f.t.Errorf("query %s", r.URL.RawQuery)
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	to := min(from+2, len(f.items)) // pages of two, to exercise cursors
	after := ""
	if to < len(f.items) {
		after = strconv.Itoa(to)
	}
	res, _ := json.Marshal(f.items[from:to])
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":%s,"result_info":{"cursors":{"after":%q}}}`, res, after)
}

func (f *fakeList) start(w http.ResponseWriter, method string, b []byte) {
	id := fmt.Sprintf("op%d", len(f.ops)+1)
	f.ops[id] = &op{polls: f.Pending, apply: f.effect(method, b)}
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"operation_id":%q}}`, id)
}

func (f *fakeList) effect(method string, b []byte) func() {
	if method == http.MethodPost {
		var add []map[string]json.RawMessage
		if err := json.Unmarshal(b, &add); err != nil {
			f.t.Errorf("POST body %s: %v", b, err)
		}
		return func() {
			for _, it := range add {
				f.Add(string(it["redirect"]))
			}
		}
	}
	var del struct {
		Items []struct{ ID string } `json:"items"`
	}
	json.Unmarshal(b, &del)
	return func() {
		for _, d := range del.Items {
			f.remove(d.ID)
		}
	}
}

// Add puts an item in the list (as a hand edit would), its redirect as JSON.
func (f *fakeList) Add(redirectJSON string) {
	f.next++
	f.items = append(f.items, json.RawMessage(fmt.Sprintf(`{"id":"i%d","redirect":%s,"created_on":"2026-11-24T05:00:00Z"}`, f.next, redirectJSON)))
}

func (f *fakeList) remove(id string) {
	for i, it := range f.items {
		if strings.HasPrefix(string(it), `{"id":"`+id+`"`) {
			f.items = append(f.items[:i], f.items[i+1:]...)
			return
		}
	}
	f.t.Errorf("delete of unknown id %s", id)
}

func (f *fakeList) poll(w http.ResponseWriter, id string) {
	o := f.ops[id]
	status, errText := "pending", ""
	switch {
	case o == nil:
		f.t.Errorf("poll of unknown operation %s", id)
	case o.polls > 0:
		o.polls--
	case f.FailWith != "":
		status, errText = "failed", f.FailWith
	default:
		status = "completed"
		if o.apply != nil {
			o.apply()
			o.apply = nil
		}
	}
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"id":%q,"status":%q,"error":%q,"completed":"2026-11-24T05:00:01Z"}}`, id, status, errText)
}

func (f *fakeList) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

// waits is a clock whose waits return at once, each moving it on by
// what was asked and recorded.
type waits struct {
	mu  sync.Mutex
	now time.Time
	got []time.Duration
}

func (c *waits) clock() clocktest.Funcs {
	return clocktest.Funcs{
		NowFunc: func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now },
		AfterFunc: func(d time.Duration) <-chan time.Time {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.now = c.now.Add(d)
			c.got = append(c.got, d)
			ch := make(chan time.Time, 1)
			ch <- c.now
			return ch
		},
	}
}

func setup(t *testing.T, pending int) (*fakeList, *cloudflare.Edge, *waits) {
	f := newFake(t, pending)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	w := &waits{now: time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)}
	return f, cloudflare.New(cloudflare.Options{Name: "cfr", AccountID: acct, ListID: "list1", Site: "www.example.org", Token: "cf-token",
		Endpoint: srv.URL, Clock: w.clock(), Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }}), w
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
		"GET " + items + "?per_page=500",
		"POST " + items + ` [{"redirect":{"source_url":"www.example.org/campaign","target_url":"https://www.example.org/promo?x=1","status_code":302,"include_subdomains":false,"subpath_matching":true,"preserve_query_string":false,"preserve_path_suffix":false}}]`,
		"GET " + ops + "op1", "GET " + ops + "op1", "GET " + ops + "op1",
	}
	if got := f.take(); join(got) != join(want) {
		t.Errorf("requests\n%s\nwant\n%s", join(got), join(want))
	}
	if len(w.got) != 2 || w.got[0] != time.Second || w.got[1] != time.Second {
		t.Errorf("waits %v", w.got)
	}
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 1 || rules[0] != (redirect.Rule{From: "/campaign*", To: "https://www.example.org/promo?x=1", Status: 302}) {
		t.Errorf("list %v %v", rules, err)
	}
	// The same rule again: no change, no operation.
	f.take()
	if st, err := e.Put(ctx, redirect.Rule{From: "/campaign*", To: "https://www.example.org/promo?x=1", Status: 302}); err != nil || st.Changed {
		t.Errorf("same rule: %+v %v", st, err)
	}
	if got := f.take(); len(got) != 1 {
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
	want := []string{"GET " + items + "?per_page=500", "GET " + items + "?cursor=2&per_page=500"}
	if got := f.take(); join(got) != join(want) {
		t.Errorf("pages %q", got)
	}
	st, err := e.Put(ctx, redirect.Rule{From: "/old", To: "https://www.example.org/newer", Status: 308})
	if err != nil || !st.Changed || st.Used != 3 {
		t.Fatalf("replace: %+v %v", st, err)
	}
	got := f.take()
	if len(got) != 6 || got[2] != "DELETE "+items+` {"items":[{"id":"i1"}]}` || got[3] != "GET "+ops+"op1" || !strings.HasPrefix(got[4], "POST ") {
		t.Errorf("replace requests\n%s", join(got))
	}
	if st, err := e.Delete(ctx, "/old"); err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := f.take(); got[len(got)-2] != "DELETE "+items+` {"items":[{"id":"i4"}]}` {
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
	f.FailWith = "duplicate source URL in list"
	_, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "bulk operation op1 failed: duplicate source URL in list") {
		t.Fatalf("failed operation: %v", err)
	}
	if got := f.take(); len(got) != 4 {
		t.Errorf("failed operation's requests %q", got)
	}
	f.FailWith, f.Pending = "", 1000
	_, err = e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "bulk operation op2 still pending after 2m0s") {
		t.Fatalf("stuck operation: %v", err)
	}
	if n := len(f.take()); n != 2+121 {
		t.Errorf("%d requests, want 2 and 121 polls", n)
	}
}
