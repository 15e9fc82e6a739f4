package social

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/opsbot/opsbot/feeds"
)

// RSS polls one RSS 2.0, Atom 1.0 (or JSON Feed) document with
// If-None-Match; gofeed parses it (the document only: the fetch is
// feeds.Fetch, bounded). An item's id is its GUID (Atom: id), else its
// link; titles are HTML in the wild and shown as their text.
type RSS struct {
	URL   string
	Fetch feeds.Fetch
}

// Poll reads the document; the cursor is its ETag.
func (r *RSS) Poll(ctx context.Context, cur feeds.Cursor) ([]feeds.Item, feeds.Cursor, error) {
	got, err := r.Fetch.Get(ctx, r.URL, cur.ETag)
	if err != nil || got.NotModified {
		return nil, cur, err
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(got.Body))
	if err != nil {
		return nil, cur, fmt.Errorf("not an RSS or Atom feed: %w", err)
	}
	items := make([]feeds.Item, 0, len(f.Items))
	for _, it := range f.Items {
		if x, ok := rssItem(r.URL, f, it); ok {
			items = append(items, x)
		}
	}
	return items, feeds.Cursor{Value: "etag", ETag: got.ETag}, nil
}

func rssItem(scope string, f *gofeed.Feed, it *gofeed.Item) (feeds.Item, bool) {
	id := it.GUID
	if id == "" {
		id = it.Link
	}
	if id == "" {
		return feeds.Item{}, false
	}
	author := f.Title
	if len(it.Authors) > 0 && it.Authors[0].Name != "" {
		author = it.Authors[0].Name
	}
	return feeds.Item{ID: id, Kind: feeds.KindPost, Scope: scope, Title: feeds.PlainText(it.Title), Link: it.Link,
		Author: feeds.PlainText(author), Time: when(it)}, true
}

func when(it *gofeed.Item) time.Time {
	switch {
	case it.PublishedParsed != nil:
		return *it.PublishedParsed
	case it.UpdatedParsed != nil:
		return *it.UpdatedParsed
	}
	return time.Time{}
}
