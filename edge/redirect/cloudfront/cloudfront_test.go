package cloudfront_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
)

const arn = "arn:aws:cloudfront::123456789012:key-value-store/0f1e2d3c-kvs"

// escapedARN is the ARN as a URI label of the path: every reserved
// character %-escaped.
const escapedARN = "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2F0f1e2d3c-kvs"

// Store is a loopback CloudFront KeyValueStore speaking the data-plane
// API (DescribeKeyValueStore, ListKeys, PutKey, DeleteKey) as the API
// reference documents it, checking each request's path, If-Match, body
// and SigV4A signature.
type Store struct {
	t       testing.TB
	mu      sync.Mutex
	items   map[string]string
	version int
	extra   int64 // bytes held by keys this test does not model
	race    int   // bump the ETag behind the next N writers' backs
	log     []string
}

func (s *Store) etag() string { return fmt.Sprintf("ETAG%d", s.version) }

func (s *Store) size() int64 {
	n := s.extra
	for k, v := range s.items {
		n += int64(len(k) + len(v))
	}
	return n
}

func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 ") || r.Header.Get("X-Amz-Region-Set") != "*" {
		s.t.Errorf("not signed with SigV4A: %q %q", r.Header.Get("Authorization"), r.Header.Get("X-Amz-Region-Set"))
	}
	if r.Host != "123456789012.kvs.test" {
		s.t.Errorf("host %q, want the account's", r.Host)
	}
	body, _ := io.ReadAll(r.Body)
	p := r.URL.EscapedPath()
	line := r.Method + " " + p
	if q := r.URL.RawQuery; q != "" {
		line += "?" + q
	}
	if m := r.Header.Get("If-Match"); m != "" {
		line += " If-Match:" + m
	}
	if len(body) > 0 {
		line += " " + string(body)
	}
	s.log = append(s.log, line)
	base := "/key-value-stores/" + escapedARN
	switch {
	case r.Method == "GET" && p == base:
		w.Header().Set("ETag", s.etag())
		json.NewEncoder(w).Encode(map[string]any{"KvsARN": arn, "Created": 1.7e9, "ItemCount": len(s.items), "TotalSizeInBytes": s.size()})
	case r.Method == "GET" && p == base+"/keys":
		s.list(w, r)
	case strings.HasPrefix(p, base+"/keys/"):
		key, err := url.PathUnescape(strings.TrimPrefix(p, base+"/keys/"))
		if err != nil {
			s.t.Errorf("key %s: %v", p, err)
		}
		s.write(w, r, key, body)
	default:
		s.t.Errorf("unexpected %s", line)
		w.WriteHeader(400)
	}
}

func (s *Store) list(w http.ResponseWriter, r *http.Request) {
	keys := make([]string, 0, len(s.items))
	for k := range s.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	from := 0
	if tok := r.URL.Query().Get("NextToken"); tok != "" {
		fmt.Sscan(tok, &from)
	}
	page := map[string]any{}
	var items []map[string]string
	for i := from; i < len(keys) && i < from+2; i++ { // pages of two, to go through NextToken
		items = append(items, map[string]string{"Key": keys[i], "Value": s.items[keys[i]]})
	}
	page["Items"] = items
	if from+2 < len(keys) {
		page["NextToken"] = fmt.Sprint(from + 2)
	}
	json.NewEncoder(w).Encode(page)
}

func (s *Store) write(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	if s.race > 0 {
		s.race--
		s.version++ // someone else wrote since opsbot's read
	}
	if r.Header.Get("If-Match") != s.etag() {
		fail(w, 409, "ConflictException", "Pre-condition failed: ETag mismatch")
		return
	}
	switch r.Method {
	case "PUT":
		var in struct{ Value string }
		if err := json.Unmarshal(body, &in); err != nil || in.Value == "" {
			s.t.Errorf("put body %s", body)
		}
		s.items[key] = in.Value
	case "DELETE":
		if _, ok := s.items[key]; !ok {
			fail(w, 404, "ResourceNotFoundException", "Key not found")
			return
		}
		delete(s.items, key)
	}
	s.version++
	w.Header().Set("ETag", s.etag())
	json.NewEncoder(w).Encode(map[string]any{"ItemCount": len(s.items), "TotalSizeInBytes": s.size()})
}

func fail(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}

func (s *Store) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

// NewEdge serves a Store and returns an Edge talking to it through the
// real SDK client: every host name dials the loopback server.
func NewEdge(t testing.TB, s *Store) *cloudfront.Edge {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}}}
	return cloudfront.New(cloudfront.NewClient(cfg, "http://kvs.test"), cloudfront.Options{Name: "cf", ARN: arn,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }})
}

func TestPutListDelete(t *testing.T) {
	s := &Store{t: t, items: map[string]string{"/hand": "edited by hand"}}
	e := NewEdge(t, s)
	ctx := context.Background()
	st, err := e.Put(ctx, redirect.Rule{From: "/donate-now", To: "https://www.example.org/donate", Status: 301})
	if err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("put: %+v %v", st, err)
	}
	want := []string{
		"GET /key-value-stores/" + escapedARN,
		"PUT /key-value-stores/" + escapedARN + "/keys/%2Fdonate-now If-Match:ETAG0 {\"Value\":\"301 https://www.example.org/donate\"}",
	}
	if got := s.take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e.Put(ctx, redirect.Rule{From: "/campaign*", To: "/promo", Status: 302})
	rules, err := e.List(ctx)
	if err != nil || len(rules) != 3 {
		t.Fatalf("list: %v %v", rules, err)
	}
	if rules[0] != (redirect.Rule{From: "/campaign*", To: "/promo", Status: 302}) || rules[2] != (redirect.Rule{From: "/hand", To: "edited by hand"}) {
		t.Errorf("rules %v", rules)
	}
	s.take()
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || !st.Changed {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := s.take(); len(got) != 2 || got[1] != "DELETE /key-value-stores/"+escapedARN+"/keys/%2Fcampaign%2A If-Match:ETAG2" {
		t.Errorf("delete requests %q", got)
	}
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || st.Changed {
		t.Fatalf("delete again: %+v %v", st, err)
	}
}

// TestConflictRetries: a write that lost the race (the ETag moved) reads
// the store again and writes with the new ETag.
func TestConflictRetries(t *testing.T) {
	s := &Store{t: t, items: map[string]string{}, race: 2}
	e := NewEdge(t, s)
	if _, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 308}); err != nil {
		t.Fatal(err)
	}
	put := "PUT /key-value-stores/" + escapedARN + "/keys/%2Fa If-Match:"
	want := []string{"GET /key-value-stores/" + escapedARN, put + "ETAG0 {\"Value\":\"308 /b\"}",
		"GET /key-value-stores/" + escapedARN, put + "ETAG1 {\"Value\":\"308 /b\"}",
		"GET /key-value-stores/" + escapedARN, put + "ETAG2 {\"Value\":\"308 /b\"}"}
	if got := s.take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.items["/a"] != "308 /b" {
		t.Errorf("store %v", s.items)
	}
	s.race = 10 // someone keeps writing: opsbot gives up with the conflict
	_, err := e.Put(context.Background(), redirect.Rule{From: "/c", To: "/d", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "ConflictException") {
		t.Errorf("endless conflict: %v", err)
	}
}

// TestLimits: keys over 512 bytes, values over 1024 and a store past 5 MB
// are refused before anything is written.
func TestLimits(t *testing.T) {
	s := &Store{t: t, items: map[string]string{}}
	e := NewEdge(t, s)
	ctx := context.Background()
	_, err := e.Put(ctx, redirect.Rule{From: "/" + strings.Repeat("k", 512), To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "513 bytes long: a CloudFront KeyValueStore holds keys of up to 512") {
		t.Errorf("long key: %v", err)
	}
	_, err = e.Put(ctx, redirect.Rule{From: "/a", To: "https://www.example.org/" + strings.Repeat("v", 1000), Status: 301})
	if err == nil || !strings.Contains(err.Error(), "values of up to 1024 bytes, this one is 1028") {
		t.Errorf("long value: %v", err)
	}
	if got := s.take(); len(got) != 0 {
		t.Errorf("asked the store: %q", got)
	}
	s.extra = cloudfront.MaxTotal - 4
	_, err = e.Put(ctx, redirect.Rule{From: "/a", To: "/b", Status: 301})
	if !errors.Is(err, edge.ErrFull) || !strings.Contains(err.Error(), "more than its 5242880") {
		t.Errorf("full store: %v", err)
	}
	if got := s.take(); len(got) != 1 || !strings.HasPrefix(got[0], "GET ") {
		t.Errorf("wrote to a full store: %q", got)
	}
}

// TestFunction runs the CloudFront Function's own tests (node --test)
// against the lookup table the Go lookup is tested with.
func TestFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the CloudFront Function's JavaScript tests did not run")
	}
	out, err := exec.Command(node, "--test", "function/redirects.test.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "# fail 0") {
		t.Fatalf("node --test:\n%s", out)
	}
}
