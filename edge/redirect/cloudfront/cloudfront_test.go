package cloudfront_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront/kvstest"
)

func TestPutListDelete(t *testing.T) {
	s := &kvstest.Store{T: t, Items: map[string]string{"/hand": "edited by hand"}}
	e := kvstest.NewEdge(t, s)
	ctx := context.Background()
	st, err := e.Put(ctx, redirect.Rule{From: "/donate-now", To: "https://www.example.org/donate", Status: 301})
	if err != nil || !st.Changed || st.Used != 2 {
		t.Fatalf("put: %+v %v", st, err)
	}
	want := []string{
		"GET /key-value-stores/" + kvstest.EscapedARN,
		"PUT /key-value-stores/" + kvstest.EscapedARN + "/keys/%2Fdonate-now If-Match:ETAG0 {\"Value\":\"301 https://www.example.org/donate\"}",
	}
	if got := s.Take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
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
	s.Take()
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || !st.Changed {
		t.Fatalf("delete: %+v %v", st, err)
	}
	if got := s.Take(); len(got) != 2 || got[1] != "DELETE /key-value-stores/"+kvstest.EscapedARN+"/keys/%2Fcampaign%2A If-Match:ETAG2" {
		t.Errorf("delete requests %q", got)
	}
	if st, err := e.Delete(ctx, "/campaign*"); err != nil || st.Changed {
		t.Fatalf("delete again: %+v %v", st, err)
	}
}

// TestConflictRetries: a write that lost the race (the ETag moved) reads
// the store again and writes with the new ETag.
func TestConflictRetries(t *testing.T) {
	s := &kvstest.Store{T: t, Items: map[string]string{}, Race: 2}
	e := kvstest.NewEdge(t, s)
	if _, err := e.Put(context.Background(), redirect.Rule{From: "/a", To: "/b", Status: 308}); err != nil {
		t.Fatal(err)
	}
	put := "PUT /key-value-stores/" + kvstest.EscapedARN + "/keys/%2Fa If-Match:"
	want := []string{"GET /key-value-stores/" + kvstest.EscapedARN, put + "ETAG0 {\"Value\":\"308 /b\"}",
		"GET /key-value-stores/" + kvstest.EscapedARN, put + "ETAG1 {\"Value\":\"308 /b\"}",
		"GET /key-value-stores/" + kvstest.EscapedARN, put + "ETAG2 {\"Value\":\"308 /b\"}"}
	if got := s.Take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Items["/a"] != "308 /b" {
		t.Errorf("store %v", s.Items)
	}
	s.Race = 10 // someone keeps writing: opsbot gives up with the conflict
	_, err := e.Put(context.Background(), redirect.Rule{From: "/c", To: "/d", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "ConflictException") {
		t.Errorf("endless conflict: %v", err)
	}
}

// TestLimits: keys over 512 bytes, values over 1024 and a store past 5 MB
// are refused before anything is written.
func TestLimits(t *testing.T) {
	s := &kvstest.Store{T: t, Items: map[string]string{}}
	e := kvstest.NewEdge(t, s)
	ctx := context.Background()
	_, err := e.Put(ctx, redirect.Rule{From: "/" + strings.Repeat("k", 512), To: "/b", Status: 301})
	if err == nil || !strings.Contains(err.Error(), "513 bytes long: a CloudFront KeyValueStore holds keys of up to 512") {
		t.Errorf("long key: %v", err)
	}
	_, err = e.Put(ctx, redirect.Rule{From: "/a", To: "https://www.example.org/" + strings.Repeat("v", 1000), Status: 301})
	if err == nil || !strings.Contains(err.Error(), "values of up to 1024 bytes, this one is 1028") {
		t.Errorf("long value: %v", err)
	}
	if got := s.Take(); len(got) != 0 {
		t.Errorf("asked the store: %q", got)
	}
	s.Extra = cloudfront.MaxTotal - 4
	_, err = e.Put(ctx, redirect.Rule{From: "/a", To: "/b", Status: 301})
	if !errors.Is(err, edge.ErrFull) || !strings.Contains(err.Error(), "more than its 5242880") {
		t.Errorf("full store: %v", err)
	}
	if got := s.Take(); len(got) != 1 || !strings.HasPrefix(got[0], "GET ") {
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
