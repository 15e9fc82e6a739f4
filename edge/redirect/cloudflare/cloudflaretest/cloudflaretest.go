// Package cloudflaretest is a loopback Cloudflare Lists API for a Bulk
// Redirects list, for tests: an httptest server that checks each request
// (path, token, body) as the API reference documents it and logs it, runs
// item writes as bulk operations that stay pending for a set number of
// polls, and an Edge of package cloudflare wired to it, polling on a clock
// that never sleeps.
package cloudflaretest

import (
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

	"github.com/opsbot/opsbot/edge/redirect/cloudflare"
	"github.com/opsbot/opsbot/internal/clocktest"
)

const (
	// Account is the account ID.
	Account = "0123456789abcdef0123456789abcdef"
	// Items is the list's items path.
	Items = "/accounts/" + Account + "/rules/lists/list1/items"
	// Ops is where bulk operations are polled.
	Ops = "/accounts/" + Account + "/rules/lists/bulk_operations/"
)

// List is the Lists API of one account for a list of kind redirect,
// as Cloudflare's API reference documents it: GET items (cursor pages),
// POST and DELETE items answered with an operation ID, the operation
// polled at bulk_operations/{id}: pending for Pending polls, then
// completed (the change applied), or failed with FailWith.
type List struct {
	T        testing.TB
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

// New is an empty list whose operations stay pending for pending polls.
func New(t testing.TB, pending int) *List {
	return &List{T: t, Pending: pending, ops: map[string]*op{}}
}

// ServeHTTP answers one API request.
func (f *List) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(b)))
	if got := r.Header.Get("Authorization"); got != "Bearer cf-token" {
		f.T.Errorf("Authorization %q", got)
	}
	switch {
	case r.URL.Path == Items && r.Method == http.MethodGet:
		f.list(w, r)
	case r.URL.Path == Items && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		if r.Header.Get("Content-Type") != "application/json" {
			f.T.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		f.start(w, r.Method, b)
	case strings.HasPrefix(r.URL.Path, Ops) && r.Method == http.MethodGet:
		f.poll(w, strings.TrimPrefix(r.URL.Path, Ops))
	default:
		f.T.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (f *List) list(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("per_page") != "500" {
		f.T.Errorf("query %s", r.URL.RawQuery)
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

func (f *List) start(w http.ResponseWriter, method string, b []byte) {
	id := fmt.Sprintf("op%d", len(f.ops)+1)
	f.ops[id] = &op{polls: f.Pending, apply: f.effect(method, b)}
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"operation_id":%q}}`, id)
}

func (f *List) effect(method string, b []byte) func() {
	if method == http.MethodPost {
		var add []map[string]json.RawMessage
		if err := json.Unmarshal(b, &add); err != nil {
			f.T.Errorf("POST body %s: %v", b, err)
		}
		return func() {
			for _, it := range add {
				f.add(string(it["redirect"]))
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
func (f *List) Add(redirectJSON string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add(redirectJSON)
}

func (f *List) add(redirectJSON string) {
	f.next++
	f.items = append(f.items, json.RawMessage(fmt.Sprintf(`{"id":"i%d","redirect":%s,"created_on":"2026-11-24T05:00:00Z"}`, f.next, redirectJSON)))
}

func (f *List) remove(id string) {
	for i, it := range f.items {
		if strings.HasPrefix(string(it), `{"id":"`+id+`"`) {
			f.items = append(f.items[:i], f.items[i+1:]...)
			return
		}
	}
	f.T.Errorf("delete of unknown id %s", id)
}

func (f *List) poll(w http.ResponseWriter, id string) {
	o := f.ops[id]
	status, errText := "pending", ""
	switch {
	case o == nil:
		f.T.Errorf("poll of unknown operation %s", id)
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

// Take returns the requests logged since the last Take.
func (f *List) Take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

// Waits is a clock whose waits return at once, each moving it on by
// what was asked and recorded.
type Waits struct {
	mu  sync.Mutex
	now time.Time
	got []time.Duration
}

// Clock is the opsbot.Clock.
func (c *Waits) Clock() clocktest.Funcs {
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

// NewEdge serves f over loopback and returns an Edge on it (account
// Account, list list1, site www.example.org, token cf-token; retries
// without waiting; polls on w's clock).
func NewEdge(t testing.TB, f *List, w *Waits) *cloudflare.Edge {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return cloudflare.New(cloudflare.Options{Name: "cfr", AccountID: Account, ListID: "list1", Site: "www.example.org", Token: "cf-token",
		Endpoint: srv.URL, Clock: w.Clock(), Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }})
}

// Waited are the waits asked of the clock so far.
func (c *Waits) Waited() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.got...)
}

// Script sets how many polls the next operations stay pending for, and
// the error they then fail with ("": they complete).
func (f *List) Script(pending int, failWith string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Pending, f.FailWith = pending, failWith
}
