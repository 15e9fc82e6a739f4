package tickets_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/tickets"
)

func sign(body []byte, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func post(h http.Handler, path string, headers map[string]string, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	return rw.Code
}

// TestJiraIssueCreated: a signed jira:issue_created delivery is posted
// with key, title, priority, reporter and link; a retry (same
// X-Atlassian-Webhook-Identifier) is not; a route's priority filter holds;
// an unsigned delivery is refused and audited.
func TestJiraIssueCreated(t *testing.T) {
	r := feedstest.NewRig(t)
	hub := r.Hub(feeds.Source{Name: "ops-tickets", Kind: "jira", Routes: []feeds.Route{{Scope: "OPS", Room: "#ops", Priority: []string{"Highest", "High"}}}})
	h := &tickets.Jira{Hub: hub, Sources: []tickets.JiraSource{{Name: "ops-tickets", Secret: []byte("jira-secret")}}}
	body, err := os.ReadFile("testdata/jira_issue_created.json")
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": "application/json", "X-Hub-Signature": sign(body, "jira-secret"),
		"X-Atlassian-Webhook-Identifier": "6f8e1e5c-4b1f-4a7e-9d21-2c7a4f0b9e11"}
	for range 2 {
		if code := post(h, "/hooks/jira", hdr, body); code != 200 {
			t.Fatalf("delivery %d", code)
		}
	}
	low := bytes.Replace(body, []byte(`"name": "High"`), []byte(`"name": "Low"`), 1)
	low = bytes.Replace(low, []byte("OPS-128"), []byte("OPS-129"), 2)
	if code := post(h, "/hooks/jira", map[string]string{"X-Hub-Signature": sign(low, "jira-secret")}, low); code != 200 {
		t.Fatalf("low delivery %d", code)
	}
	hub.Flush(context.Background())
	want := []opsbot.Message{{Channel: "#ops", Reply: opsbot.Reply{Title: "Ticket OPS-128 created: Origin 502s on /checkout since deploy",
		Text:    "reported by Bob Ops · priority High\nlabels: checkout\nhttps://acme.atlassian.net/browse/OPS-128",
		Context: "feed ops-tickets · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	if code := post(h, "/hooks/jira", map[string]string{}, body); code != 401 {
		t.Errorf("unsigned: %d", code)
	}
	if a := r.Audit.Taken(); len(a) != 1 || a[0].Result != "refused: unsigned delivery (no X-Hub-Signature)" || a[0].Allowed {
		t.Errorf("audit %+v", a)
	}
}

// TestGenericWebhook: a Zendesk-like payload mapped by the config's paths.
func TestGenericWebhook(t *testing.T) {
	r := feedstest.NewRig(t)
	hub := r.Hub(feeds.Source{Name: "zendesk", Kind: "webhook", Routes: []feeds.Route{{Room: "#support"}}})
	h := &tickets.Webhook{Hub: hub, Source: "zendesk", Secret: []byte("zd"), Clock: r.Clock,
		Fields: tickets.Fields{ID: "ticket.id", Scope: "ticket.group", Title: "ticket.title", Link: "ticket.url", Author: "ticket.requester.name", Priority: "ticket.priority"}}
	body := []byte(`{"ticket":{"id":35436,"group":"Support","title":"Checkout <b>down</b> for <@U123>","url":"https://acme.zendesk.com/agent/tickets/35436",` +
		`"requester":{"name":"Jane Customer"},"priority":"urgent","tags":["checkout"]}}`)
	if code := post(h, "/hooks/feeds/zendesk", map[string]string{"X-Signature-256": sign(body, "zd"), "X-Delivery-Id": "d1"}, body); code != 200 {
		t.Fatalf("delivery %d", code)
	}
	if code := post(h, "/hooks/feeds/zendesk", map[string]string{"X-Signature-256": sign(body, "other")}, body); code != 401 {
		t.Fatalf("bad signature %d", code)
	}
	hub.Flush(context.Background())
	want := []opsbot.Message{{Channel: "#support", Reply: opsbot.Reply{Title: "Ticket 35436 created: Checkout <b>down</b> for <@U123>",
		Text:    "reported by Jane Customer · priority urgent\nhttps://acme.zendesk.com/agent/tickets/35436",
		Context: "feed zendesk · 2026-12-03 10:00 UTC"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
}
