package github_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/github"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// BenchmarkWebhookDelivery is one signed pull_request delivery answered
// (signature, parse, seen check, record, delivery id) on the embedded
// engine: what GitHub waits for (its limit: 10 s).
func BenchmarkWebhookDelivery(b *testing.B) {
	w := warehousetest.Embedded(b)
	warehousetest.Truncate(b, w, "feed_items", "feed_deliveries", "feed_cursors")
	hub := feeds.New(feeds.Options{Sources: []feeds.Source{prSource()}, Store: feeds.NewStore(w), Poster: &feedstest.Poster{}})
	h := &github.Hook{Hub: hub, Sources: []github.Source{{Name: "web-prs", Secret: []byte(secret)}}}
	body := mustRead(b, "testdata/pull_request_opened.json")
	b.ResetTimer()
	for i := range b.N {
		pr := bytes.Replace(body, []byte(`"number": 42`), fmt.Appendf(nil, `"number": %d`, 1000+i), -1)
		req := httptest.NewRequest(http.MethodPost, "/hooks/github", bytes.NewReader(pr))
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprint("bench-", i))
		req.Header.Set("X-Hub-Signature-256", sign(pr, secret))
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, req)
		if rw.Code != 200 {
			b.Fatal(rw.Code)
		}
	}
}

// BenchmarkBurst100 is 100 new PRs recorded in one delivery and posted
// as one grouped message.
func BenchmarkBurst100(b *testing.B) {
	w := warehousetest.Embedded(b)
	warehousetest.Truncate(b, w, "feed_items", "feed_deliveries", "feed_cursors")
	p := &feedstest.Poster{}
	hub := feeds.New(feeds.Options{Sources: []feeds.Source{prSource()}, Store: feeds.NewStore(w), Poster: p})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		items := make([]feeds.Item, 100)
		for j := range items {
			items[j] = feeds.Item{ID: fmt.Sprintf("acme/web#%d", i*100+j), Kind: feeds.KindPR, Scope: "acme/web", Event: "opened", Title: "Bump"}
		}
		if _, err := hub.Deliver(ctx, "web-prs", "", items); err != nil {
			b.Fatal(err)
		}
		hub.Flush(ctx)
		if len(p.Take()) != 1 {
			b.Fatal("not one message")
		}
	}
}
