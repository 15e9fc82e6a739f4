package fastly_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/fastly"
)

type aclEntry struct {
	ID      string `json:"id"`
	IP      string `json:"ip"`
	Subnet  *int   `json:"subnet"`
	Negated string `json:"negated"`
	Comment string `json:"comment"`
}

// fakeACL is Fastly's ACL entries API for service svc1, ACL acl1.
type fakeACL struct {
	t       *testing.T
	mu      sync.Mutex
	entries []aclEntry
	next    int
	patches [][]map[string]any // each PATCH's entries
	fail    []int              // statuses to answer before serving
	gets    int
	// lose: the next PATCHes are applied, then their connection is closed
	// before any answer: the client sees a network error.
	lose int
}

const base = "/service/svc1/acl/acl1/entries"

func (f *fakeACL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != base {
		f.t.Errorf("path %s", r.URL.Path)
	}
	if k := r.Header.Get("Fastly-Key"); k != "tok-123" {
		f.t.Errorf("Fastly-Key %q", k)
	}
	if len(f.fail) > 0 {
		code := f.fail[0]
		f.fail = f.fail[1:]
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"msg":"status %d"}`, code)
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.gets++
		f.list(w, r)
	case http.MethodPatch:
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			f.t.Errorf("Content-Type %q", ct)
		}
		f.patch(w, r)
	default:
		f.t.Errorf("method %s", r.Method)
	}
}

func (f *fakeACL) list(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if page < 1 || per != 100 {
		f.t.Errorf("query %s", r.URL.RawQuery)
	}
	lo, hi := min((page-1)*per, len(f.entries)), min(page*per, len(f.entries))
	json.NewEncoder(w).Encode(f.entries[lo:hi])
}

func (f *fakeACL) patch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Entries []map[string]any `json:"entries"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		f.t.Fatal(err)
	}
	f.patches = append(f.patches, body.Entries)
	for _, e := range body.Entries {
		switch e["op"] {
		case "create":
			f.next++
			en := aclEntry{ID: fmt.Sprintf("e%d", f.next), IP: e["ip"].(string), Negated: "0"}
			if s, ok := e["subnet"].(float64); ok {
				n := int(s)
				en.Subnet = &n
			}
			en.Comment, _ = e["comment"].(string)
			f.entries = append(f.entries, en)
		case "delete":
			f.remove(e["id"].(string))
		}
	}
	if f.lose > 0 {
		f.lose--
		hangUp(f.t, w)
		return
	}
	io.WriteString(w, `{"status":"ok"}`)
}

// hangUp closes the connection of w without answering.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

func (f *fakeACL) remove(id string) {
	for i, e := range f.entries {
		if e.ID == id {
			f.entries = append(f.entries[:i], f.entries[i+1:]...)
			return
		}
	}
	f.t.Errorf("delete of unknown id %s", id)
}

func setup(t *testing.T) (*fakeACL, *fastly.Edge) {
	f := &fakeACL{t: t}
	return f, serve(t, f)
}

// serve starts h over loopback and returns an Edge on it.
func serve(t *testing.T, h http.Handler) *fastly.Edge {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fastly.New(fastly.Options{
		Name: "fastly", ServiceID: "svc1", ACLID: "acl1", Token: "tok-123", Endpoint: srv.URL,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) },
	})
}

var meta = edge.Meta{By: "U1 (alice)", Reason: "scraping /donate", Expires: time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)}

func TestBanSendsExactEntry(t *testing.T) {
	f, e := setup(t)
	ctx := context.Background()
	if _, err := e.Ban(ctx, netip.MustParsePrefix("203.0.113.9/32"), meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Ban(ctx, netip.MustParsePrefix("198.51.100.0/24"), meta); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(f.patches)
	want := `[[{"comment":"opsbot ban by U1 (alice) until 2026-11-25 04:00Z: scraping /donate","ip":"203.0.113.9","op":"create"}],` +
		`[{"comment":"opsbot ban by U1 (alice) until 2026-11-25 04:00Z: scraping /donate","ip":"198.51.100.0","op":"create","subnet":24}]]`
	if string(got) != want {
		t.Errorf("patches\n got %s\nwant %s", got, want)
	}
	st, err := e.Ban(ctx, netip.MustParsePrefix("198.51.100.0/24"), meta)
	if err != nil || st.Changed || len(f.patches) != 2 {
		t.Errorf("second ban of one prefix: %+v %v, %d patches", st, err, len(f.patches))
	}
	list, err := e.List(ctx)
	if err != nil || len(list) != 2 || list[1].Prefix.String() != "198.51.100.0/24" || !strings.Contains(list[1].Comment, "alice") {
		t.Errorf("list %v %v", list, err)
	}
}

func TestUnbanBatchesOf1000(t *testing.T) {
	f, e := setup(t)
	var ps []netip.Prefix
	for i := range 1500 {
		n := 24
		f.entries = append(f.entries, aclEntry{ID: fmt.Sprintf("x%d", i), IP: fmt.Sprintf("10.%d.%d.0", i/256, i%256), Subnet: &n, Negated: "0"})
		ps = append(ps, netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)))
	}
	f.entries = append(f.entries, aclEntry{ID: "keep", IP: "192.0.2.1", Negated: "0"})
	st, err := e.Unban(context.Background(), ps...)
	if err != nil || !st.Changed || st.Used != 1 {
		t.Fatal(st, err)
	}
	if len(f.patches) != 2 || len(f.patches[0]) != 1000 || len(f.patches[1]) != 500 {
		t.Fatalf("batches of %d and %d", len(f.patches[0]), len(f.patches[1]))
	}
	if f.patches[0][0]["op"] != "delete" || f.patches[0][0]["id"] != "x0" || len(f.patches[0][0]) != 2 {
		t.Errorf("delete op %v", f.patches[0][0])
	}
	if f.gets != 16 { // 1501 entries, 100 a page
		t.Errorf("%d list pages", f.gets)
	}
	if len(f.entries) != 1 || f.entries[0].ID != "keep" {
		t.Errorf("left %v", f.entries)
	}
}

func TestRetries429And5xx(t *testing.T) {
	f, e := setup(t)
	f.fail = []int{429, 503}
	if _, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), meta); err != nil {
		t.Fatal(err)
	}
	if len(f.entries) != 1 {
		t.Errorf("entries %v", f.entries)
	}
}

func TestAuthFailureIsNotRetried(t *testing.T) {
	f, e := setup(t)
	f.fail = []int{401, 401, 401}
	_, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), meta)
	var he *edge.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || !strings.Contains(err.Error(), "credentials refused") {
		t.Fatalf("err %v", err)
	}
	if len(f.fail) != 2 {
		t.Errorf("401 was retried")
	}
}

func TestNegatedEntriesAreNotBans(t *testing.T) {
	f, e := setup(t)
	f.entries = []aclEntry{{ID: "n", IP: "192.0.2.7", Negated: "1"}}
	list, err := e.List(context.Background())
	if err != nil || len(list) != 0 {
		t.Errorf("list %v %v", list, err)
	}
}

// TestCreateWhoseAnswerWasLostIsNotSentAgain: the first create is applied
// but its connection closes before the answer; the retry lists the ACL,
// finds the entry and sends nothing more: one entry, one PATCH.
func TestCreateWhoseAnswerWasLostIsNotSentAgain(t *testing.T) {
	f, e := setup(t)
	f.lose = 1
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("198.51.100.0/24"), meta)
	if err != nil || !st.Changed {
		t.Fatalf("ban: %+v %v", st, err)
	}
	if len(f.entries) != 1 || f.entries[0].IP != "198.51.100.0" || *f.entries[0].Subnet != 24 {
		t.Errorf("entries %+v, want one for 198.51.100.0/24", f.entries)
	}
	if len(f.patches) != 1 || f.gets != 2 {
		t.Errorf("%d PATCHes and %d lists, want 1 and 2 (before, and after the lost answer)", len(f.patches), f.gets)
	}
}

// TestCreateThatFailedIsSentAgain: a create refused with a 503 (not
// applied) is sent again once the ACL, listed again, lacks the entry.
func TestCreateThatFailedIsSentAgain(t *testing.T) {
	f := &fakeACL{t: t}
	h := &failFirstPatch{f: f}
	if _, err := serve(t, h).Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), meta); err != nil {
		t.Fatal(err)
	}
	if len(f.entries) != 1 || len(f.patches) != 1 || h.refused != 1 || f.gets != 2 {
		t.Errorf("entries %+v, %d PATCHes applied, %d refused, %d lists", f.entries, len(f.patches), h.refused, f.gets)
	}
}

// failFirstPatch answers the first PATCH with a 503 without applying it,
// then hands every request to f.
type failFirstPatch struct {
	f       *fakeACL
	refused int
}

func (h *failFirstPatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPatch && h.refused == 0 {
		h.refused++
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.f.ServeHTTP(w, r)
}
