package github_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/feeds/feedstest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// rig is a hub on the shared embedded engine, emptied, with a fake poster
// and auditor and a manual clock.
type rig struct {
	store  *feeds.Store
	poster *feedstest.Poster
	audit  *feedstest.Auditor
	clk    *clocktest.Clock
}

func newRig(t *testing.T) *rig {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "feed_items", "feed_deliveries", "feed_cursors")
	return &rig{store: feeds.NewStore(w), poster: &feedstest.Poster{}, audit: &feedstest.Auditor{},
		clk: clocktest.New(time.Date(2026, 12, 3, 10, 0, 30, 0, time.UTC))}
}

// hub is a hub of srcs on the rig (a new one after a restart shares the
// store).
func (r *rig) hub(srcs ...feeds.Source) *feeds.Hub {
	return feeds.New(feeds.Options{Sources: srcs, Store: r.store, Poster: r.poster, WarnRoom: "#tech-alerts",
		Clock: r.clk, Auditor: r.audit, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}
