// Package fastlytest is a loopback Fastly dictionary item API for tests:
// an httptest server that checks each request (path, key escaping,
// Fastly-Key, form) as the API reference documents it and logs it, and an
// Edge of package fastly wired to it.
package fastlytest

import (
	"encoding/json"
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

	"github.com/opsbot/opsbot/edge/redirect/fastly"
)

// Dict is Fastly's dictionary item API for service svc1, dictionary
// dict1, as the API reference documents it: GET …/items (page, per_page),
// PUT …/item/{key} (form item_value), DELETE …/item/{key}; keys one
// %-escaped path segment; header Fastly-Key.
type Dict struct {
	T     testing.TB
	mu    sync.Mutex
	Items map[string]string
	log   []string
	Fail  []int // statuses to answer before serving
}

// Base is the dictionary's path.
const Base = "/service/svc1/dictionary/dict1"

// ServeHTTP answers one API request.
func (f *Dict) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+" "+string(b)))
	if k := r.Header.Get("Fastly-Key"); k != "fastly-tok" {
		f.T.Errorf("Fastly-Key %q", k)
	}
	if len(f.Fail) > 0 {
		w.WriteHeader(f.Fail[0])
		fmt.Fprintf(w, `{"msg":"status %d"}`, f.Fail[0])
		f.Fail = f.Fail[1:]
		return
	}
	key, isItem := strings.CutPrefix(r.URL.EscapedPath(), Base+"/item/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == Base+"/items":
		f.list(w, r)
	case isItem && !strings.Contains(key, "/") && r.Method == http.MethodPut:
		f.put(w, r, key, b)
	case isItem && !strings.Contains(key, "/") && r.Method == http.MethodDelete:
		f.delete(w, key)
	default:
		f.T.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (f *Dict) sorted() []string {
	var keys []string
	for k := range f.Items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (f *Dict) list(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if page < 1 || per != 100 {
		f.T.Errorf("query %s", r.URL.RawQuery)
	}
	keys := f.sorted()
	out := []map[string]string{}
	for _, k := range keys[min((page-1)*per, len(keys)):min(page*per, len(keys))] {
		out = append(out, map[string]string{"dictionary_id": "dict1", "service_id": "svc1", "item_key": k, "item_value": f.Items[k],
			"created_at": "2026-11-24T05:00:00Z", "updated_at": "2026-11-24T05:00:00Z", "deleted_at": ""})
	}
	json.NewEncoder(w).Encode(out)
}

func (f *Dict) put(w http.ResponseWriter, r *http.Request, escKey string, b []byte) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.T.Errorf("Content-Type %q", ct)
	}
	key, _ := url.PathUnescape(escKey)
	form, err := url.ParseQuery(string(b))
	if err != nil || len(form) != 1 || len(form["item_value"]) != 1 {
		f.T.Errorf("form %q", b)
	}
	f.Items[key] = form.Get("item_value")
	json.NewEncoder(w).Encode(map[string]string{"dictionary_id": "dict1", "service_id": "svc1", "item_key": key, "item_value": f.Items[key]})
}

func (f *Dict) delete(w http.ResponseWriter, escKey string) {
	key, _ := url.PathUnescape(escKey)
	if _, ok := f.Items[key]; !ok {
		w.WriteHeader(404)
		io.WriteString(w, `{"msg":"Record not found","detail":"Couldn't find dictionary item"}`)
		return
	}
	delete(f.Items, key)
	io.WriteString(w, `{"status":"ok"}`)
}

// Take returns the requests logged since the last take.
func (f *Dict) Take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

// NewEdge serves d over loopback and returns an Edge on it (service
// svc1, dictionary dict1, token fastly-tok; retries without waiting).
func NewEdge(t testing.TB, f *Dict) *fastly.Edge {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return fastly.New(fastly.Options{Name: "fd", ServiceID: "svc1", DictionaryID: "dict1", Token: "fastly-tok", Endpoint: srv.URL,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }})
}

// Get is the value of key ("" when absent).
func (f *Dict) Get(key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Items[key]
}

// Set writes an item as a hand edit at the edge would.
func (f *Dict) Set(key, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Items[key] = value
}

// Remove deletes an item as a hand edit at the edge would.
func (f *Dict) Remove(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.Items, key)
}
