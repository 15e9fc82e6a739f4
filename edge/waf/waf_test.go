package waf_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot/edge"
	"github.com/opsbot/opsbot/edge/waf"
)

// fakeWAF speaks AWS WAF's awsJson1_1 protocol for GetIPSet and
// UpdateIPSet on one IPv4 set, checking every request's exact shape.
type fakeWAF struct {
	t        *testing.T
	mu       sync.Mutex
	addrs    []string // set-4
	v6       []string // set-6
	token    int
	calls    []string          // X-Amz-Target suffixes in order
	bodies   []map[string]any  // decoded request bodies
	failNext map[string]string // target → error to answer once ("lock", "500")
}

func (f *fakeWAF) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.t.Errorf("request %s %s, want POST /", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		f.t.Errorf("Content-Type %q", ct)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/us-east-1/wafv2/aws4_request") {
		f.t.Errorf("Authorization %q: want SigV4 for wafv2 in us-east-1", auth)
	}
	var body map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		f.t.Errorf("body %q: %v", b, err)
	}
	op := strings.TrimPrefix(target, "AWSWAF_20190729.")
	f.calls = append(f.calls, op)
	f.bodies = append(f.bodies, body)
	if fail := f.failNext[op]; fail != "" {
		delete(f.failNext, op)
		f.fail(w, fail)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch op {
	case "GetIPSet":
		name, version, addrs := "opsbot-v4", "IPV4", f.addrs
		if body["Id"] == "set-6" {
			name, version, addrs = "opsbot-v6", "IPV6", f.v6
		}
		json.NewEncoder(w).Encode(map[string]any{
			"IPSet": map[string]any{"Name": name, "Id": body["Id"], "ARN": "arn:aws:wafv2:us-east-1:1:global/ipset/" + name,
				"Description": "opsbot bans", "IPAddressVersion": version, "Addresses": addrs},
			"LockToken": fmt.Sprintf("token-%d", f.token),
		})
	case "UpdateIPSet":
		if body["LockToken"] != fmt.Sprintf("token-%d", f.token) {
			f.fail(w, "lock")
			return
		}
		var got []string
		for _, a := range body["Addresses"].([]any) {
			got = append(got, a.(string))
		}
		if body["Id"] == "set-6" {
			f.v6 = got
		} else {
			f.addrs = got
		}
		f.token++
		json.NewEncoder(w).Encode(map[string]any{"NextLockToken": fmt.Sprintf("token-%d", f.token)})
	default:
		f.t.Errorf("unexpected target %q", target)
		w.WriteHeader(400)
	}
}

func (f *fakeWAF) fail(w http.ResponseWriter, kind string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch kind {
	case "lock":
		f.token++ // someone else wrote the set
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"WAFOptimisticLockException","Message":"AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it."}`)
	case "500":
		w.WriteHeader(500)
		io.WriteString(w, `{"__type":"WAFInternalErrorException","Message":"internal error"}`)
	case "limit":
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"WAFInvalidParameterException","Message":"bad address"}`)
	}
}

func setup(t *testing.T, addrs ...string) (*fakeWAF, *waf.Edge) {
	f := &fakeWAF{t: t, addrs: addrs, failNext: map[string]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	client := waf.NewClient(cfg, "us-east-1", srv.URL)
	e := waf.New(client, waf.Options{
		Name: "prod", Scope: types.ScopeCloudfront, IPv4: waf.Set{Name: "opsbot-v4", ID: "set-4"},
		Limit: 4, MinInterval: time.Nanosecond,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) },
	})
	return f, e
}

func wantBody(t *testing.T, got map[string]any, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("body\n got %s\nwant %s", g, want)
	}
}

func TestBanRetriesOnLockConflict(t *testing.T) {
	f, e := setup(t, "198.51.100.7/32")
	f.failNext["UpdateIPSet"] = "lock"
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), edge.Meta{By: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Changed || st.Used != 2 || st.Limit != 4 {
		t.Errorf("status %+v", st)
	}
	if want := []string{"GetIPSet", "UpdateIPSet", "GetIPSet", "UpdateIPSet"}; !reflect.DeepEqual(f.calls, want) {
		t.Fatalf("calls %v, want %v", f.calls, want)
	}
	wantBody(t, f.bodies[0], `{"Name":"opsbot-v4","Id":"set-4","Scope":"CLOUDFRONT"}`)
	wantBody(t, f.bodies[1], `{"Name":"opsbot-v4","Id":"set-4","Scope":"CLOUDFRONT","Description":"opsbot bans",
		"Addresses":["198.51.100.7/32","203.0.113.9/32"],"LockToken":"token-0"}`)
	// after the conflict the set is read again and the new token used
	wantBody(t, f.bodies[3], `{"Name":"opsbot-v4","Id":"set-4","Scope":"CLOUDFRONT","Description":"opsbot bans",
		"Addresses":["198.51.100.7/32","203.0.113.9/32"],"LockToken":"token-1"}`)
	if want := []string{"198.51.100.7/32", "203.0.113.9/32"}; !reflect.DeepEqual(f.addrs, want) {
		t.Errorf("set holds %v", f.addrs)
	}
}

func TestBanIsIdempotent(t *testing.T) {
	f, e := setup(t, "203.0.113.9/32")
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.9/32"), edge.Meta{})
	if err != nil || st.Changed {
		t.Fatalf("status %+v, err %v", st, err)
	}
	if want := []string{"GetIPSet"}; !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls %v: an address already there must not be written", f.calls)
	}
}

func TestRetriesServerError(t *testing.T) {
	f, e := setup(t)
	f.failNext["GetIPSet"] = "500"
	if _, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.0/24"), edge.Meta{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"GetIPSet", "GetIPSet", "UpdateIPSet"}; !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls %v, want %v", f.calls, want)
	}
	if want := []string{"203.0.113.0/24"}; !reflect.DeepEqual(f.addrs, want) {
		t.Errorf("set holds %v", f.addrs)
	}
}

func TestBadRequestIsNotRetried(t *testing.T) {
	f, e := setup(t)
	f.failNext["UpdateIPSet"] = "limit"
	_, err := e.Ban(context.Background(), netip.MustParsePrefix("203.0.113.1/32"), edge.Meta{})
	if err == nil || !strings.Contains(err.Error(), "WAFInvalidParameterException") {
		t.Fatalf("err %v", err)
	}
	if len(f.calls) != 2 {
		t.Errorf("calls %v: a refused request must not be retried", f.calls)
	}
}

func TestFullSetRefuses(t *testing.T) {
	f, e := setup(t, "192.0.2.1/32", "192.0.2.2/32", "192.0.2.3/32")
	st, err := e.Ban(context.Background(), netip.MustParsePrefix("192.0.2.4/32"), edge.Meta{})
	if err != nil || !st.NearlyFull() {
		t.Fatalf("4 of 4 must pass and report nearly full: %+v %v", st, err)
	}
	_, err = e.Ban(context.Background(), netip.MustParsePrefix("192.0.2.5/32"), edge.Meta{})
	if !errors.Is(err, edge.ErrFull) || !strings.Contains(err.Error(), "holds 4 of 4") {
		t.Fatalf("err %v, want ErrFull naming the count", err)
	}
	if len(f.addrs) != 4 {
		t.Errorf("set holds %v", f.addrs)
	}
}

func TestUnbanAndList(t *testing.T) {
	f, e := setup(t, "192.0.2.1/32", "198.51.100.0/24", "192.0.2.3/32")
	st, err := e.Unban(context.Background(), netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("192.0.2.3/32"))
	if err != nil || !st.Changed {
		t.Fatal(st, err)
	}
	wantBody(t, f.bodies[1], `{"Name":"opsbot-v4","Id":"set-4","Scope":"CLOUDFRONT","Description":"opsbot bans",
		"Addresses":["198.51.100.0/24"],"LockToken":"token-0"}`)
	got, err := e.List(context.Background())
	if err != nil || len(got) != 1 || got[0].Prefix != netip.MustParsePrefix("198.51.100.0/24") {
		t.Fatalf("list %v %v", got, err)
	}
	if _, err := e.Ban(context.Background(), netip.MustParsePrefix("2001:db8::/64"), edge.Meta{}); !errors.Is(err, edge.ErrUnsupported) {
		t.Errorf("IPv6 without an IPv6 set: %v", err)
	}
}

func TestIPv6GoesToItsOwnSet(t *testing.T) {
	f := &fakeWAF{t: t, failNext: map[string]string{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	e := waf.New(waf.NewClient(cfg, "us-east-1", srv.URL), waf.Options{Name: "prod", Scope: types.ScopeCloudfront,
		IPv4: waf.Set{Name: "opsbot-v4", ID: "set-4"}, IPv6: waf.Set{Name: "opsbot-v6", ID: "set-6"}, MinInterval: time.Nanosecond})
	ctx := context.Background()
	for _, p := range []string{"2001:db8::/64", "203.0.113.9/32", "2001:db8:1::1/128"} {
		if _, err := e.Ban(ctx, netip.MustParsePrefix(p), edge.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(f.v6, []string{"2001:db8::/64", "2001:db8:1::1/128"}) || !reflect.DeepEqual(f.addrs, []string{"203.0.113.9/32"}) {
		t.Errorf("v4 %v, v6 %v", f.addrs, f.v6)
	}
	wantBody(t, f.bodies[0], `{"Name":"opsbot-v6","Id":"set-6","Scope":"CLOUDFRONT"}`)
	list, err := e.List(ctx)
	if err != nil || len(list) != 3 {
		t.Errorf("list %v %v", list, err)
	}
}

// TestConcurrentBansAreSerialized: ten bans at once on one set all land,
// none lost to a read-modify-write race, without a single lock conflict.
func TestConcurrentBansAreSerialized(t *testing.T) {
	f, e := setup(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Ban(context.Background(), netip.MustParsePrefix(fmt.Sprintf("198.51.100.%d/32", i+1)), edge.Meta{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, edge.ErrFull) {
			t.Error(err)
		}
	}
	if len(f.addrs) != 4 { // the set's limit in setup
		t.Errorf("set holds %v", f.addrs)
	}
	for _, c := range f.calls {
		if c != "GetIPSet" && c != "UpdateIPSet" {
			t.Errorf("call %s", c)
		}
	}
	if f.token != 4 {
		t.Errorf("%d updates, want 4 (one per ban that fit, no conflicts)", f.token)
	}
}
