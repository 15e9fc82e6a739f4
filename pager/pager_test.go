package pager_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/pager"
)

// call is one request a fake pager API received.
type call struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   map[string]any
}

// fakeAPI records requests and answers with the next status in statuses
// (the last one repeats).
type fakeAPI struct {
	mu       sync.Mutex
	calls    []call
	statuses []int
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")}
	if err := json.Unmarshal(b, &c.Body); err != nil {
		http.Error(w, "bad json: "+err.Error(), 400)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	st := f.statuses[min(len(f.calls), len(f.statuses))-1]
	f.mu.Unlock()
	w.WriteHeader(st)
	io.WriteString(w, `{"status":"success","message":"Event processed"}`)
}

func (f *fakeAPI) got() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func serve(t *testing.T, statuses ...int) (*fakeAPI, string) {
	f := &fakeAPI{statuses: statuses}
	s := httptest.NewServer(f)
	t.Cleanup(s.Close)
	return f, s.URL
}

func router(t *testing.T, services map[string]pager.Service, env map[string]string) *pager.Router {
	t.Helper()
	for name, s := range services {
		s.Key = env[s.KeyEnv]
		services[name] = s
	}
	return pager.New(services, pager.Options{
		Backoff: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 3) },
	})
}

func jsonEq(t *testing.T, got map[string]any, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	ww, _ := json.Marshal(w)
	if string(g) != string(ww) {
		t.Fatalf("body\n got %s\nwant %s", g, ww)
	}
}

var trigger = opsbot.Page{
	Service: "web", Action: opsbot.PageTrigger, DedupKey: "opsbot/5xx-ratio",
	Summary: "5xx ratio 23% over 5m (page above 10%)", Severity: "critical", Source: "rule 5xx-ratio",
	Links:   []opsbot.Link{{Text: "warning", Href: "https://slack.example/archives/C1/p1"}},
	Details: map[string]string{"value": "0.23"},
}

func TestPagerDutyTriggerAndResolve(t *testing.T) {
	api, url := serve(t, 202)
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "PD_WEB", URL: url}}, map[string]string{"PD_WEB": "R0UTINGKEY"})
	if err := r.Notify(context.Background(), trigger); err != nil {
		t.Fatal(err)
	}
	resolve := opsbot.Page{Service: "web", Action: opsbot.PageResolve, DedupKey: "opsbot/5xx-ratio", Summary: "cleared"}
	if err := r.Notify(context.Background(), resolve); err != nil {
		t.Fatal(err)
	}
	c := api.got()
	if len(c) != 2 || c[0].Method != "POST" || c[0].Path != "/v2/enqueue" || c[0].ContentType != "application/json" {
		t.Fatalf("calls %+v", c)
	}
	jsonEq(t, c[0].Body, `{"routing_key":"R0UTINGKEY","event_action":"trigger","dedup_key":"opsbot/5xx-ratio","client":"opsbot",
		"payload":{"summary":"5xx ratio 23% over 5m (page above 10%)","source":"rule 5xx-ratio","severity":"critical","component":"web","custom_details":{"value":"0.23"}},
		"links":[{"href":"https://slack.example/archives/C1/p1","text":"warning"}]}`)
	jsonEq(t, c[1].Body, `{"routing_key":"R0UTINGKEY","event_action":"resolve","dedup_key":"opsbot/5xx-ratio"}`)
}

func TestPagerDutySummaryCutAt1024(t *testing.T) {
	api, url := serve(t, 202)
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "K", URL: url}}, map[string]string{"K": "k"})
	p := trigger
	p.Summary = strings.Repeat("é", 3000)
	if err := r.Notify(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	s := api.got()[0].Body["payload"].(map[string]any)["summary"].(string)
	if n := len([]rune(s)); n != 1024 || !strings.HasSuffix(s, "…") {
		t.Fatalf("summary has %d runes", n)
	}
}

func TestOpsgenieCreateAndClose(t *testing.T) {
	api, url := serve(t, 202)
	r := router(t, map[string]pager.Service{"api": {Provider: "opsgenie", KeyEnv: "OG", URL: url}}, map[string]string{"OG": "g-key"})
	p := trigger
	p.Service = "api"
	if err := r.Notify(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if err := r.Notify(context.Background(), opsbot.Page{Service: "api", Action: opsbot.PageResolve, DedupKey: "opsbot/5xx-ratio", Source: "rule 5xx-ratio", Summary: "cleared"}); err != nil {
		t.Fatal(err)
	}
	c := api.got()
	if len(c) != 2 || c[0].Path != "/v2/alerts" || c[0].Auth != "GenieKey g-key" {
		t.Fatalf("create call %+v", c)
	}
	jsonEq(t, c[0].Body, `{"message":"5xx ratio 23% over 5m (page above 10%)","alias":"opsbot/5xx-ratio",
		"description":"5xx ratio 23% over 5m (page above 10%)\nwarning: https://slack.example/archives/C1/p1",
		"priority":"P1","source":"rule 5xx-ratio","entity":"api","tags":["opsbot","api"],"details":{"value":"0.23"}}`)
	if c[1].Path != "/v2/alerts/opsbot/5xx-ratio/close" || c[1].Query != "identifierType=alias" || c[1].Auth != "GenieKey g-key" {
		t.Fatalf("close call %+v", c[1])
	}
	jsonEq(t, c[1].Body, `{"source":"rule 5xx-ratio","note":"cleared"}`)
}

func TestWebhook(t *testing.T) {
	api, url := serve(t, 200)
	r := router(t, map[string]pager.Service{"donate": {Provider: "webhook", KeyEnv: "HOOK", URL: url + "/page"}}, map[string]string{"HOOK": "tok"})
	p := trigger
	p.Service = "donate"
	if err := r.Notify(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	c := api.got()
	if len(c) != 1 || c[0].Path != "/page" || c[0].Auth != "Bearer tok" {
		t.Fatalf("calls %+v", c)
	}
	jsonEq(t, c[0].Body, `{"service":"donate","action":"trigger","dedup_key":"opsbot/5xx-ratio","summary":"5xx ratio 23% over 5m (page above 10%)",
		"severity":"critical","source":"rule 5xx-ratio","links":[{"text":"warning","href":"https://slack.example/archives/C1/p1"}],"details":{"value":"0.23"}}`)
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	api, url := serve(t, 429, 503, 202)
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "K", URL: url}}, map[string]string{"K": "k"})
	if err := r.Notify(context.Background(), trigger); err != nil {
		t.Fatal(err)
	}
	if n := len(api.got()); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
}

func TestGivesUpAfterRetries(t *testing.T) {
	api, url := serve(t, 500)
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "K", URL: url}}, map[string]string{"K": "k"})
	err := r.Notify(context.Background(), trigger)
	if err == nil || !strings.Contains(err.Error(), "4 attempt(s)") || !strings.Contains(err.Error(), "status 500") {
		t.Fatalf("err %v", err)
	}
	if n := len(api.got()); n != 4 {
		t.Fatalf("%d attempts, want 4", n)
	}
}

func TestBadRequestIsNotRetried(t *testing.T) {
	api, url := serve(t, 400)
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "K", URL: url}}, map[string]string{"K": "k"})
	err := r.Notify(context.Background(), trigger)
	if err == nil || !strings.Contains(err.Error(), "not retried") || !strings.Contains(err.Error(), "status 400") {
		t.Fatalf("err %v", err)
	}
	if n := len(api.got()); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close() // nothing listens any more: connection refused
	r := router(t, map[string]pager.Service{"web": {Provider: "pagerduty", KeyEnv: "K", URL: url}}, map[string]string{"K": "k"})
	err := r.Notify(context.Background(), trigger)
	if err == nil || !strings.Contains(err.Error(), "4 attempt(s)") {
		t.Fatalf("err %v", err)
	}
}

func TestUnknownServiceListsKnown(t *testing.T) {
	r := router(t, map[string]pager.Service{
		"web": {Provider: "pagerduty", KeyEnv: "K", URL: "http://127.0.0.1:1"},
		"api": {Provider: "opsgenie", KeyEnv: "K", URL: "http://127.0.0.1:1"},
	}, map[string]string{"K": "k"})
	err := r.Notify(context.Background(), opsbot.Page{Service: "dns"})
	if !errors.Is(err, opsbot.ErrNotFound) || !strings.Contains(err.Error(), "known services: api, web") {
		t.Fatalf("err %v", err)
	}
	if got := strings.Join(r.Services(), ","); got != "api,web" {
		t.Fatalf("services %s", got)
	}
}

// TestMissingKeyDisablesOnlyItsService: a service whose key variable is
// unset is disabled, named with the variable to set, and refused when
// paged; the others page.
func TestMissingKeyDisablesOnlyItsService(t *testing.T) {
	f, url := serve(t, 202)
	r := router(t, map[string]pager.Service{
		"web": {Provider: "pagerduty", KeyEnv: "OPSBOT_PD_WEB", URL: url},
		"api": {Provider: "pagerduty", KeyEnv: "K", URL: url},
	}, map[string]string{"K": "k"})
	want := "the pager service web is disabled: OPSBOT_PD_WEB is not set"
	if err := r.Disabled("web"); err == nil || opsbot.ErrorText(err) != want || !errors.Is(err, opsbot.ErrForbidden) {
		t.Fatalf("Disabled(web) = %v; want %q", err, want)
	}
	if err := r.Notify(context.Background(), opsbot.Page{Service: "web", Action: opsbot.PageTrigger}); err == nil || opsbot.ErrorText(err) != want {
		t.Fatalf("page web: %v", err)
	}
	if err := r.Notify(context.Background(), opsbot.Page{Service: "api", Action: opsbot.PageTrigger}); err != nil || len(f.got()) != 1 || r.Disabled("api") != nil {
		t.Fatalf("page api: %v, %d calls", err, len(f.got()))
	}
	if got := strings.Join(r.Services(), ","); got != "api,web" {
		t.Fatalf("services %s", got)
	}
}
