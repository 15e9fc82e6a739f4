package social_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/feeds/social"
)

// docServer serves one document that tests change, with an ETag and 304
// for a matching If-None-Match; it keeps each request's path and
// If-None-Match.
type docServer struct {
	*httptest.Server
	mu   sync.Mutex
	doc  string
	ct   string
	reqs []string
}

func newDoc(t *testing.T, ct string) *docServer {
	d := &docServer{ct: ct}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.reqs = append(d.reqs, r.Method+" "+r.URL.RequestURI()+" inm="+r.Header.Get("If-None-Match"))
		etag := fmt.Sprintf(`"%x"`, len(d.doc))
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", d.ct)
		fmt.Fprint(w, d.doc)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) set(doc string) { d.mu.Lock(); d.doc = doc; d.mu.Unlock() }
func (d *docServer) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.reqs
	d.reqs = nil
	return r
}

// rss is an RSS 2.0 channel (RSS 2.0 specification) of items given as
// guid, title, pubDate.
func rss(items ...[3]string) string {
	s := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Status &amp; News</title>` +
		`<link>https://status.example.org/</link><description>Incidents</description>`
	for _, it := range items {
		s += fmt.Sprintf(`<item><title>%s</title><link>https://status.example.org/%s</link><guid isPermaLink="false">%s</guid><pubDate>%s</pubDate></item>`,
			it[1], it[0], it[0], it[2])
	}
	return s + `</channel></rss>`
}

func rssSource(d *docServer) feeds.Source {
	return feeds.Source{Name: "status", Kind: "rss", Poller: &social.RSS{URL: d.URL + "/feed.xml", Fetch: feeds.Fetch{Client: d.Client()}},
		Routes: []feeds.Route{{Room: "#watch"}}}
}

// TestRSS: the first poll is the baseline; a feed that repeats an item,
// lists items out of order, and escapes HTML in its titles posts each new
// item once, oldest first, as text; a restart between two polls posts
// nothing again; an unchanged feed is a 304.
func TestRSS(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	d := newDoc(t, "application/rss+xml")
	first := rss([3]string{"a1", "Old news", "Mon, 30 Nov 2026 09:00:00 GMT"})
	d.set(first)
	hub := r.Hub(rssSource(d))
	hub.PollOnce(ctx, "status")
	d.set(rss(
		[3]string{"a3", "&lt;b&gt;Degraded&lt;/b&gt; CDN in &lt;i&gt;Paris&lt;/i&gt; &amp;amp; Lyon &lt;!channel&gt;", "Thu, 03 Dec 2026 09:30:00 GMT"},
		[3]string{"a1", "Old news", "Mon, 30 Nov 2026 09:00:00 GMT"},
		[3]string{"a2", "Maintenance tonight", "Wed, 02 Dec 2026 18:00:00 GMT"},
		[3]string{"a2", "Maintenance tonight", "Wed, 02 Dec 2026 18:00:00 GMT"},
	))
	hub = r.Hub(rssSource(d)) // a restart between two polls
	hub.PollOnce(ctx, "status")
	hub.PollOnce(ctx, "status")
	hub.Flush(ctx)
	want := []opsbot.Message{{Channel: "#watch", Reply: opsbot.Reply{Title: "2 new items",
		Text: "• Status & News: Maintenance tonight — https://status.example.org/a2\n" +
			"• Status & News: Degraded CDN in Paris & Lyon — https://status.example.org/a3", // <!channel> is HTML markup (a bogus comment) in a title,
		Context: "feeds status · grouped by minute"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	if got, want := d.take(), []string{"GET /feed.xml inm=",
		fmt.Sprintf(`GET /feed.xml inm="%x"`, len(first)), fmt.Sprintf(`GET /feed.xml inm="%x"`, len(d.doc))}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	hub = r.Hub(rssSource(d))
	hub.PollOnce(ctx, "status")
	hub.Flush(ctx)
	if got := r.Poster.Take(); len(got) != 0 {
		t.Fatalf("after restart posted %v", got)
	}
}

// TestPreviewBeforeFirstPoll: `feeds test` on a feed never polled reads
// it for its newest item, posts it as a preview and records nothing.
func TestPreviewBeforeFirstPoll(t *testing.T) {
	ctx := context.Background()
	r := feedstest.NewRig(t)
	d := newDoc(t, "application/rss+xml")
	d.set(rss([3]string{"b2", "Newest", "Thu, 03 Dec 2026 09:00:00 GMT"}, [3]string{"b1", "Older", "Wed, 02 Dec 2026 09:00:00 GMT"}))
	hub := r.Hub(rssSource(d))
	rep, err := hub.Skill(nil).Handle(ctx, &opsbot.Request{User: opsbot.User{ID: "U1", Name: "ops"}, Text: "feeds test status"})
	if err != nil || rep.Text != "Posted the latest item of status to #watch as a preview." {
		t.Fatalf("reply %+v, %v", rep, err)
	}
	want := []opsbot.Message{{Channel: "#watch", Reply: opsbot.Reply{Title: "Status & News: Newest", Text: "https://status.example.org/b2",
		Context: "feed status · 2026-12-03 09:00 UTC · preview from `feeds test` by ops"}}}
	if got := r.Poster.Take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("posted\n%#v\nwant\n%#v", got, want)
	}
	hub.PollOnce(ctx, "status") // still the baseline: nothing posted
	hub.Flush(ctx)
	if got := r.Poster.Take(); len(got) != 0 {
		t.Fatalf("posted %v", got)
	}
}
