package feedstest

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/opsbot/opsbot/feeds"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// Rig is a store on the test process's embedded engine, emptied, with a
// fake poster and auditor and a manual clock: what the sources' tests
// build hubs on.
type Rig struct {
	Store  *feeds.Store
	Poster *Poster
	Audit  *Auditor
	Clock  *clocktest.Clock
}

// NewRig empties the feed tables and starts the clock at 2026-12-03
// 10:00:30 UTC. The package's TestMain must be warehousetest.Main.
func NewRig(t *testing.T) *Rig {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "feed_items", "feed_deliveries", "feed_cursors")
	return &Rig{Store: feeds.NewStore(w), Poster: &Poster{}, Audit: &Auditor{},
		Clock: clocktest.New(time.Date(2026, 12, 3, 10, 0, 30, 0, time.UTC))}
}

// Hub is a hub of srcs on the rig (a new one after a restart shares the
// store).
func (r *Rig) Hub(srcs ...feeds.Source) *feeds.Hub {
	return feeds.New(feeds.Options{Sources: srcs, Store: r.Store, Poster: r.Poster, WarnRoom: "#tech-alerts",
		Clock: r.Clock, Auditor: r.Audit, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}
