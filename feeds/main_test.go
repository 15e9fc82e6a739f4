package feeds_test

import (
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

type rig struct {
	store  *feeds.Store
	poster *feedstest.Poster
	clk    *clocktest.Clock
}

func newRig(t *testing.T) *rig {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "feed_items", "feed_deliveries", "feed_cursors")
	return &rig{store: feeds.NewStore(w), poster: &feedstest.Poster{}, clk: clocktest.New(time.Date(2026, 12, 3, 10, 0, 30, 0, time.UTC))}
}

func (r *rig) hub(p opsbot.Poster, srcs ...feeds.Source) *feeds.Hub {
	if p == nil {
		p = r.poster
	}
	return feeds.New(feeds.Options{Sources: srcs, Store: r.store, Poster: p, WarnRoom: "#tech-alerts", Clock: r.clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// pr is a pull request as the GitHub source makes it.
func pr(n int, title string) feeds.Item {
	return feeds.Item{ID: "acme/web#" + itoa(n), Kind: feeds.KindPR, Scope: "acme/web", Key: "#" + itoa(n), Event: "opened", Title: title,
		Link: "https://github.com/acme/web/pull/" + itoa(n), Author: "alice", Time: time.Date(2026, 12, 3, 10, 0, n, 0, time.UTC),
		Base: "main", Head: "feature", Additions: 12, Deletions: 3, Files: 2, Labels: []string{"cdn"}}
}

func itoa(n int) string { return strconv.Itoa(n) }
