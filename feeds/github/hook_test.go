package github_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/auditlog"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/github"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

const secret = "It's a Secret to Everybody"

func sign(body []byte, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// deliver sends body as GitHub does (headers from GitHub's webhook
// documentation) and returns the status.
func deliver(t *testing.T, h http.Handler, event, delivery, sig string, body []byte) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/hooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-GitHub-Hook-ID", "292430182")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	return rw.Code
}

func prSource() feeds.Source {
	return feeds.Source{Name: "web-prs", Kind: "github", Routes: []feeds.Route{{Scope: "acme/*", Room: "#eng-prs", Drafts: "exclude"}}}
}

// TestWebhookPullRequest: a signed delivery of GitHub's documented
// pull_request "opened" payload is posted once, with what people act on;
// the same delivery again (a redelivery) posts nothing; unsigned and badly
// signed deliveries are refused with 401 and audited.
func TestWebhookPullRequest(t *testing.T) {
	r := feedstest.NewRig(t)
	hub := r.Hub(prSource())
	h := &github.Hook{Hub: hub, Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret)}}}
	body, err := os.ReadFile("testdata/pull_request_opened.json")
	if err != nil {
		t.Fatal(err)
	}
	const id = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
	if code := deliver(t, h, "pull_request", id, sign(body, secret), body); code != 200 {
		t.Fatalf("delivery: %d", code)
	}
	hub.Flush(context.Background())
	want := []opsbot.Message{{Channel: "#eng-prs", Reply: opsbot.Reply{
		Title:   "PR acme/web#42 opened: Cache <b>static</b> assets for a day <!channel>",
		Text:    "by alice · main ← cache-static · +120 −8 in 3 files\nlabels: cdn, perf\nhttps://github.com/acme/web/pull/42",
		Context: "feed web-prs · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	if code := deliver(t, h, "pull_request", id, sign(body, secret), body); code != 200 {
		t.Fatalf("redelivery: %d", code)
	}
	// the same PR under another delivery id (a second hook) is not posted either
	if code := deliver(t, h, "pull_request", "other-delivery", sign(body, secret), body); code != 200 {
		t.Fatalf("second hook: %d", code)
	}
	hub.Flush(context.Background())
	if got := r.Poster.Take(); len(got) != 0 {
		t.Fatalf("redelivery posted %v", got)
	}
	if code := deliver(t, h, "pull_request", "d2", "", body); code != 401 {
		t.Errorf("unsigned: %d", code)
	}
	if code := deliver(t, h, "pull_request", "d3", sign(body, "wrong secret"), body); code != 401 {
		t.Errorf("bad signature: %d", code)
	}
	if code := deliver(t, h, "pull_request", "d4", sign(body, secret), append(body, ' ')); code != 401 {
		t.Errorf("altered body: %d", code)
	}
	var results []string
	for _, e := range r.Audit.Taken() {
		if e.Allowed || e.Transport != "webhook" {
			t.Errorf("audit %+v", e)
		}
		results = append(results, e.Result)
	}
	wantResults := []string{"refused: unsigned delivery (no X-Hub-Signature-256)", "refused: bad signature", "refused: bad signature"}
	if !reflect.DeepEqual(results, wantResults) {
		t.Errorf("audited %q", results)
	}
}

// TestWebhookLimits: only POST, bodies over feeds.MaxBody refused before
// any signature work, and events feeds does not post answered 200.
func TestWebhookLimits(t *testing.T) {
	r := feedstest.NewRig(t)
	h := &github.Hook{Hub: r.Hub(prSource()), Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret)}}}
	big := []byte(`{"zen":"` + strings.Repeat("a", feeds.MaxBody) + `"}`)
	if code := deliver(t, h, "ping", "p1", sign(big, secret), big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", code)
	}
	ping := []byte(`{"zen":"Design for failure.","hook_id":292430182}`)
	if code := deliver(t, h, "ping", "p2", sign(ping, secret), ping); code != 200 {
		t.Errorf("ping: %d", code)
	}
	labeled := bytes.Replace(mustRead(t, "testdata/pull_request_opened.json"), []byte(`"action": "opened"`), []byte(`"action": "labeled"`), 1)
	if code := deliver(t, h, "pull_request", "p3", sign(labeled, secret), labeled); code != 200 {
		t.Errorf("labeled: %d", code)
	}
	req := httptest.NewRequest(http.MethodGet, "/hooks/github", nil)
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	if rw.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rw.Code)
	}
	if got := r.Poster.Take(); len(got) != 0 {
		t.Errorf("posted %v", got)
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebhookIssuesAndMerged: with issues and merged on, an issues
// "opened" delivery and a pull_request "closed" with merged true are
// posted; a PR closed without merging is not.
func TestWebhookIssuesAndMerged(t *testing.T) {
	r := feedstest.NewRig(t)
	hub := r.Hub(prSource())
	h := &github.Hook{Hub: hub, Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret), Merged: true, Issues: true}}}
	issue := []byte(`{"action":"opened","issue":{"url":"https://api.github.com/repos/acme/web/issues/7","html_url":"https://github.com/acme/web/issues/7",` +
		`"number":7,"title":"Purge takes 10 minutes","user":{"login":"bob","id":1002},"labels":[{"id":1,"name":"cdn"}],"state":"open",` +
		`"created_at":"2026-12-03T10:01:00Z","updated_at":"2026-12-03T10:01:00Z","body":"…"},` +
		`"repository":{"id":1296269,"name":"web","full_name":"acme/web","owner":{"login":"acme"}},"sender":{"login":"bob"}}`)
	if code := deliver(t, h, "issues", "i1", sign(issue, secret), issue); code != 200 {
		t.Fatalf("issue %d", code)
	}
	opened := mustRead(t, "testdata/pull_request_opened.json")
	closed := bytes.Replace(opened, []byte(`"action": "opened"`), []byte(`"action": "closed"`), 1)
	if code := deliver(t, h, "pull_request", "c1", sign(closed, secret), closed); code != 200 {
		t.Fatalf("closed %d", code)
	}
	merged := bytes.Replace(closed, []byte(`"merged": false`), []byte(`"merged": true`), 1)
	merged = bytes.Replace(merged, []byte(`"merged_at": null`), []byte(`"merged_at": "2026-12-03T11:00:00Z"`), 1)
	if code := deliver(t, h, "pull_request", "m1", sign(merged, secret), merged); code != 200 {
		t.Fatalf("merged %d", code)
	}
	hub.Flush(context.Background())
	got := r.Poster.Take()
	if len(got) != 1 || got[0].Reply.Title != "2 new items" {
		t.Fatalf("posted %#v", got)
	}
	want := "• Issue acme/web#7 opened: Purge takes 10 minutes — https://github.com/acme/web/issues/7\n" +
		"• PR acme/web#42 merged: Cache <b>static</b> assets for a day <!channel> — https://github.com/acme/web/pull/42"
	if got[0].Reply.Text != want {
		t.Errorf("text\n%s\nwant\n%s", got[0].Reply.Text, want)
	}
}

// TestRefusalInAuditLog: a badly signed delivery lands in the real audit
// log (bot/auditlog, hash-chained) as a refused webhook entry.
func TestRefusalInAuditLog(t *testing.T) {
	r := feedstest.NewRig(t)
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	hub := feeds.New(feeds.Options{Sources: []feeds.Source{prSource()}, Store: r.Store, Poster: r.Poster, Clock: r.Clock,
		Auditor: auditlog.New(w, r.Poster, "#tech-audits")})
	h := &github.Hook{Hub: hub, Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret)}}}
	body := mustRead(t, "testdata/pull_request_opened.json")
	if code := deliver(t, h, "pull_request", "x1", sign(body, "guess"), body); code != 401 {
		t.Fatalf("code %d", code)
	}
	res, err := w.Query(context.Background(), "SELECT transport, text, allowed, result FROM audit_log WHERE transport = 'webhook'", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"webhook", "POST /hooks/github", false, "refused: bad signature"}}
	if !reflect.DeepEqual(res.Rows, want) {
		t.Errorf("audit_log %v", res.Rows)
	}
}

// TestRefusalFloodIsBounded: anyone can send deliveries, so a flood of
// badly signed ones audits feeds.RefusalsAudited a minute, and the next
// minute's first refusal carries the count of those not audited.
func TestRefusalFloodIsBounded(t *testing.T) {
	r := feedstest.NewRig(t)
	hub := r.Hub(prSource())
	h := &github.Hook{Hub: hub, Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret)}}}
	body := []byte(`{"action":"opened"}`)
	for i := range 25 {
		if code := deliver(t, h, "pull_request", fmt.Sprint("f", i), sign(body, "wrong"), body); code != 401 {
			t.Fatalf("delivery %d: %d", i, code)
		}
	}
	if n := len(r.Audit.Taken()); n != feeds.RefusalsAudited {
		t.Fatalf("audited %d of 25 in a minute, want %d", n, feeds.RefusalsAudited)
	}
	r.Clock.Set(r.Clock.Now().Add(time.Minute))
	deliver(t, h, "pull_request", "g", sign(body, "wrong"), body)
	got := r.Audit.Taken()
	if len(got) != feeds.RefusalsAudited+1 || got[len(got)-1].Result != "refused: bad signature (and 15 more refused deliveries before it, not audited one by one)" {
		t.Fatalf("next minute audited %+v", got[feeds.RefusalsAudited:])
	}
}
