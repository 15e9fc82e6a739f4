// Package kvstest is a loopback CloudFront KeyValueStore for tests: an
// httptest server speaking the data-plane API (DescribeKeyValueStore,
// ListKeys, PutKey, DeleteKey) as the API reference documents it, which
// checks each request's path, If-Match, body and SigV4A signature and
// logs it, and an Edge of package cloudfront wired to it through the real
// SDK client.
package kvstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
)

// ARN is the store's.
const ARN = "arn:aws:cloudfront::123456789012:key-value-store/0f1e2d3c-kvs"

// EscapedARN is the ARN as a URI label of the path: every reserved
// character %-escaped.
const EscapedARN = "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2F0f1e2d3c-kvs"

// Store is a loopback CloudFront KeyValueStore speaking the data-plane
// API (DescribeKeyValueStore, ListKeys, PutKey, DeleteKey) as the API
// reference documents it, checking each request's path, If-Match, body
// and SigV4A signature.
type Store struct {
	T       testing.TB
	mu      sync.Mutex
	Items   map[string]string
	version int
	Extra   int64 // bytes held by keys this test does not model
	Race    int   // bump the ETag behind the next N writers' backs
	log     []string
}

func (s *Store) etag() string { return fmt.Sprintf("ETAG%d", s.version) }

func (s *Store) size() int64 {
	n := s.Extra
	for k, v := range s.Items {
		n += int64(len(k) + len(v))
	}
	return n
}

// ServeHTTP answers one API request.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 ") || r.Header.Get("X-Amz-Region-Set") != "*" {
		s.T.Errorf("not signed with SigV4A: %q %q", r.Header.Get("Authorization"), r.Header.Get("X-Amz-Region-Set"))
	}
	if r.Host != "123456789012.kvs.test" {
		s.T.Errorf("host %q, want the account's", r.Host)
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
	base := "/key-value-stores/" + EscapedARN
	switch {
	case r.Method == "GET" && p == base:
		w.Header().Set("ETag", s.etag())
		json.NewEncoder(w).Encode(map[string]any{"KvsARN": ARN, "Created": 1.7e9, "ItemCount": len(s.Items), "TotalSizeInBytes": s.size()})
	case r.Method == "GET" && p == base+"/keys":
		s.list(w, r)
	case strings.HasPrefix(p, base+"/keys/"):
		key, err := url.PathUnescape(strings.TrimPrefix(p, base+"/keys/"))
		if err != nil {
			s.T.Errorf("key %s: %v", p, err)
		}
		s.write(w, r, key, body)
	default:
		s.T.Errorf("unexpected %s", line)
		w.WriteHeader(400)
	}
}

func (s *Store) list(w http.ResponseWriter, r *http.Request) {
	keys := make([]string, 0, len(s.Items))
	for k := range s.Items {
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
		items = append(items, map[string]string{"Key": keys[i], "Value": s.Items[keys[i]]})
	}
	page["Items"] = items
	if from+2 < len(keys) {
		page["NextToken"] = fmt.Sprint(from + 2)
	}
	json.NewEncoder(w).Encode(page)
}

func (s *Store) write(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	if s.Race > 0 {
		s.Race--
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
			s.T.Errorf("put body %s", body)
		}
		s.Items[key] = in.Value
	case "DELETE":
		if _, ok := s.Items[key]; !ok {
			fail(w, 404, "ResourceNotFoundException", "Key not found")
			return
		}
		delete(s.Items, key)
	}
	s.version++
	w.Header().Set("ETag", s.etag())
	json.NewEncoder(w).Encode(map[string]any{"ItemCount": len(s.Items), "TotalSizeInBytes": s.size()})
}

func fail(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}

// Take returns the requests logged since the last Take.
func (s *Store) Take() []string {
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
	return cloudfront.New(cloudfront.NewClient(cfg, "http://kvs.test"), cloudfront.Options{Name: "cf", ARN: ARN,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) }})
}

// Get is the value of key ("" when absent).
func (s *Store) Get(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Items[key]
}

// Set writes key as someone editing the store by hand would.
func (s *Store) Set(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Items[key] = value
	s.version++
}

// Remove deletes key as someone editing the store by hand would.
func (s *Store) Remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.Items, key)
	s.version++
}
