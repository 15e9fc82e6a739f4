// Package tickets is the ticket side of feeds: Jira Cloud webhooks
// (jira:issue_created, signed with the webhook's secret) and a generic
// signed webhook whose JSON payload is mapped to an item by dotted paths
// from config, for other trackers (Zendesk, Linear …).
package tickets

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/opsbot/opsbot/feeds"
)

// receive is what both webhooks share: POST only, a bounded body, a
// signature checked in constant time against each source's secret (401
// and audited otherwise), items recorded once per delivery id.
func receive(rw http.ResponseWriter, r *http.Request, hub *feeds.Hub, log *slog.Logger, sigHeader, idHeader string,
	secrets map[string][]byte, items func(source string, body []byte) ([]feeds.Item, error)) {
	body, ok := feeds.ReadPost(rw, r)
	if !ok {
		return
	}
	sig := r.Header.Get(sigHeader)
	source := ""
	for name, secret := range secrets {
		if sig != "" && feeds.ValidSHA256(sig, body, secret) {
			source = name
		}
	}
	switch {
	case sig == "":
		hub.Refuse(r.Context(), rw, r, r.URL.Path, "unsigned delivery (no "+sigHeader+")")
		return
	case source == "":
		hub.Refuse(r.Context(), rw, r, r.URL.Path, "bad signature")
		return
	}
	its, err := items(source, body)
	if err != nil {
		http.Error(rw, "unreadable payload", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 8*time.Second)
	defer cancel()
	if _, err := hub.Deliver(ctx, source, r.Header.Get(idHeader), its); err != nil {
		log.Error("feeds: delivery not recorded", "source", source, "err", err)
		http.Error(rw, "not recorded; retry", http.StatusServiceUnavailable)
		return
	}
	rw.Write([]byte("ok\n"))
}

func logOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
