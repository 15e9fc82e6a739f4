package cloudflare_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/cloudflare"
)

const (
	acct  = "0123456789abcdef0123456789abcdef"
	list  = "list1"
	items = "/accounts/" + acct + "/rules/lists/" + list + "/items"
	ops   = "/accounts/" + acct + "/rules/lists/bulk_operations/"
)

type cfItem struct {
	ID      string `json:"id"`
	IP      string `json:"ip"`
	Comment string `json:"comment,omitempty"`
}

// fakeCF is the Lists API of one account: writes start an operation that
// stays pending for pendingPolls polls, and a write while one is pending
// gets 429, as the real API does.
type fakeCF struct {
	t            *testing.T
	mu           sync.Mutex
	items        []cfItem
	next         int
	pendingPolls int
	pending      map[string]int    // operation → polls left
	apply        map[string]func() // operation → its effect, applied on completion
	log          []string          // "METHOD path body"
	fail         []int
	refusedWhile int // 429s answered because an operation was pending
	othersFinish int // refusals after which the other operations complete
}

func (f *fakeCF) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+string(b)))
	if got := r.Header.Get("Authorization"); got != "Bearer cf-token" {
		f.t.Errorf("Authorization %q", got)
	}
	if len(f.fail) > 0 {
		code := f.fail[0]
		f.fail = f.fail[1:]
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"success":false,"errors":[{"code":10000,"message":"status %d"}],"result":null}`, code)
		return
	}
	switch {
	case r.URL.Path == items && r.Method == http.MethodGet:
		f.list(w, r)
	case r.URL.Path == items:
		if r.Header.Get("Content-Type") != "application/json" {
			f.t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		f.write(w, r.Method, b)
	case strings.HasPrefix(r.URL.Path, ops) && r.Method == http.MethodGet:
		f.poll(w, strings.TrimPrefix(r.URL.Path, ops))
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (f *fakeCF) list(w http.ResponseWriter, r *http.Request) {
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

func (f *fakeCF) write(w http.ResponseWriter, method string, b []byte) {
	if len(f.pending) > 0 {
		f.refusedWhile++
		if f.refusedWhile == f.othersFinish {
			clear(f.pending)
		}
		w.WriteHeader(429)
		io.WriteString(w, `{"success":false,"errors":[{"code":10050,"message":"pending bulk operation"}],"result":null}`)
		return
	}
	id := fmt.Sprintf("op%d", len(f.log))
	f.pending[id] = f.pendingPolls
	f.apply[id] = f.effect(method, b)
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"operation_id":%q}}`, id)
}

func (f *fakeCF) effect(method string, b []byte) func() {
	if method == http.MethodPost {
		var add []cfItem
		json.Unmarshal(b, &add)
		return func() {
			for _, it := range add {
				f.next++
				it.ID = fmt.Sprintf("i%d", f.next)
				f.items = append(f.items, it)
			}
		}
	}
	var del struct{ Items []struct{ ID string } }
	json.Unmarshal(b, &del)
	return func() {
		for _, d := range del.Items {
			for i, it := range f.items {
				if it.ID == d.ID {
					f.items = append(f.items[:i], f.items[i+1:]...)
					break
				}
			}
		}
	}
}

func (f *fakeCF) poll(w http.ResponseWriter, id string) {
	left, ok := f.pending[id]
	status := "completed"
	switch {
	case !ok:
		status = "completed"
	case left > 0:
		f.pending[id] = left - 1
		status = "running"
	default:
		delete(f.pending, id)
		f.apply[id]()
	}
	fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"id":%q,"status":%q}}`, id, status)
}

func setup(t *testing.T, polls int) (*fakeCF, *cloudflare.Edge) {
	f := &fakeCF{t: t, pendingPolls: polls, pending: map[string]int{}, apply: map[string]func(){}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p := func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 5) }
	return f, cloudflare.New(cloudflare.Options{Name: "cf", AccountID: acct, ListID: list, Token: "cf-token",
		Endpoint: srv.URL, Policy: p, Poll: p})
}

var meta = edge.Meta{By: "U1", Reason: "credential stuffing"}

func TestBanPollsUntilCompleted(t *testing.T) {
	f, e := setup(t, 2)
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), meta)
	if err != nil || !st.Changed {
		t.Fatal(st, err)
	}
	want := []string{
		"GET " + items,
		`POST ` + items + ` [{"comment":"opsbot ban by U1: credential stuffing","ip":"203.0.113.9"}]`,
		"GET " + ops + "op2", "GET " + ops + "op2", "GET " + ops + "op2",
	}
	if strings.Join(f.log, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(f.log, "\n"), strings.Join(want, "\n"))
	}
	if len(f.items) != 1 || f.items[0].IP != "203.0.113.9" {
		t.Errorf("items %v", f.items)
	}
}

func TestWaitsOutPendingOperation429(t *testing.T) {
	f, e := setup(t, 0)
	f.pending["other"] = 0 // someone else's operation is pending …
	f.othersFinish = 2     // … and completes after two refusals
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("2001:db8::1/128"), meta)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Note, "2001:db8::/64") {
		t.Errorf("note %q: the widening must be said", st.Note)
	}
	if f.refusedWhile != 2 || len(f.items) != 1 || f.items[0].IP != "2001:db8::/64" {
		t.Errorf("429s %d, items %v", f.refusedWhile, f.items)
	}
}

func TestUnbanOneOperationAndCursors(t *testing.T) {
	f, e := setup(t, 0)
	f.items = []cfItem{{"a", "192.0.2.1", ""}, {"b", "198.51.100.0/24", ""}, {"c", "2001:db8::/64", ""}, {"d", "192.0.2.9", ""}, {"e", "192.0.2.10", ""}}
	st, err := e.Unban(context.Background(), netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("2001:db8::5/128"), netip.MustParsePrefix("192.0.2.10/32"))
	if err != nil || !st.Changed || st.Used != 2 {
		t.Fatal(st, err)
	}
	var del string
	for _, l := range f.log {
		if strings.HasPrefix(l, "DELETE") {
			del = l
		}
	}
	if want := `DELETE ` + items + ` {"items":[{"id":"a"},{"id":"c"},{"id":"e"}]}`; del != want {
		t.Errorf("got  %s\nwant %s", del, want)
	}
	list, _ := e.List(context.Background())
	if len(list) != 2 {
		t.Errorf("left %v", list)
	}
}

func TestServerErrorRetriedAndFailedOperation(t *testing.T) {
	f, e := setup(t, 0)
	f.fail = []int{502}
	if _, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.0/24"), meta); err != nil {
		t.Fatal(err)
	}
	f.fail = []int{400}
	_, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.7/32"), meta)
	if err == nil || !strings.Contains(err.Error(), "10000 status 400") || !strings.Contains(err.Error(), "request refused") {
		t.Fatalf("err %v", err)
	}
}
