package tickets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/feeds"
)

// Fields map a payload to an item: dotted paths into its JSON
// ("ticket.title", "data.0.url").
type Fields struct {
	ID, Scope, Title, Link, Author, Priority string
}

// Webhook answers one generic source on /hooks/feeds/NAME: POST, signed
// with X-Signature-256: sha256=HMAC-SHA256 of the body under the source's
// secret; X-Delivery-Id, when sent, makes a redelivery a no-op (the
// item's id already does).
type Webhook struct {
	Hub    *feeds.Hub
	Source string
	Secret []byte
	Fields Fields
	Clock  opsbot.Clock // the item's time (when received); nil: none shown
	Log    *slog.Logger
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	receive(rw, r, w.Hub, logOr(w.Log), "X-Signature-256", "X-Delivery-Id", map[string][]byte{w.Source: w.Secret}, w.items)
}

func (w *Webhook) items(_ string, body []byte) ([]feeds.Item, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("webhook payload: %w", err)
	}
	get := func(path string) string { return lookup(v, path) }
	it := feeds.Item{ID: get(w.Fields.ID), Kind: feeds.KindTicket, Scope: get(w.Fields.Scope), Title: get(w.Fields.Title),
		Link: get(w.Fields.Link), Author: get(w.Fields.Author), Priority: get(w.Fields.Priority), Event: "created"}
	if it.ID == "" || it.Title == "" {
		return nil, fmt.Errorf("webhook payload has no %s or %s", w.Fields.ID, w.Fields.Title)
	}
	it.Key = it.ID
	if w.Clock != nil {
		it.Time = w.Clock.Now()
	}
	return []feeds.Item{it}, nil
}

// lookup follows a dotted path (object keys, array indexes) to a string,
// number or bool; anything else is "".
func lookup(v any, path string) string {
	if path == "" {
		return ""
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
