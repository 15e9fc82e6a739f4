package feeds

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// MaxBody is the largest webhook body read (GitHub caps payloads at 25 MB;
// the events taken here are far smaller).
const MaxBody = 1 << 20

// ReadPost reads a delivery's body: POST only (405 otherwise), at most
// MaxBody bytes (413 otherwise). ok false: the answer is written.
func ReadPost(rw http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	if r.Method != http.MethodPost {
		http.Error(rw, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxBody))
	if err != nil {
		http.Error(rw, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	return body, true
}

// ValidSHA256 reports whether sig ("sha256=<hex>", GitHub's and Jira's
// form) is the HMAC-SHA256 of body under secret, compared in constant time.
func ValidSHA256(sig string, body, secret []byte) bool {
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(secret) == 0 {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// Refuse answers 401 and records the refusal in the audit log. Anyone
// can send deliveries, so what they can write there is bounded: at most
// RefusalsAudited refusals per source a minute are audited (and logged);
// the rest are counted, and the count goes with the next one audited.
func (h *Hub) Refuse(ctx context.Context, rw http.ResponseWriter, r *http.Request, source, why string) {
	if more, ok := h.auditRefusal(source); ok {
		if more > 0 {
			why += fmt.Sprintf(" (and %d more refused deliveries before it, not audited one by one)", more)
		}
		h.o.Log.Warn("feeds: webhook refused", "source", source, "remote", r.RemoteAddr, "why", why)
		h.recordRefusal(ctx, r, source, why)
	}
	http.Error(rw, "unauthorized", http.StatusUnauthorized)
}

// RefusalsAudited is how many refused deliveries per source a minute go
// to the audit log one by one.
const RefusalsAudited = 10

// refusals counts one source's refused deliveries in the current minute.
type refusals struct {
	since   time.Time
	audited int
	more    int // refused, not audited yet
}

// auditRefusal says whether this refusal is audited, and how many were
// refused without it since the last one that was.
func (h *Hub) auditRefusal(source string) (more int, ok bool) {
	h.rmu.Lock()
	defer h.rmu.Unlock()
	if h.refusals == nil {
		h.refusals = map[string]*refusals{}
	}
	now := h.o.Clock.Now()
	c := h.refusals[source]
	if c == nil || now.Sub(c.since) >= time.Minute {
		c = &refusals{since: now, more: moreOf(c)}
		h.refusals[source] = c
	}
	if c.audited >= RefusalsAudited {
		c.more++
		return 0, false
	}
	c.audited++
	more, c.more = c.more, 0
	return more, true
}

func moreOf(c *refusals) int {
	if c == nil {
		return 0
	}
	return c.more
}

func (h *Hub) recordRefusal(ctx context.Context, r *http.Request, source, why string) {
	if h.o.Auditor == nil {
		return
	}
	e := opsbot.AuditEntry{Time: h.o.Clock.Now(), User: opsbot.User{ID: "webhook:" + r.RemoteAddr, Name: source},
		Transport: "webhook", Text: r.Method + " " + r.URL.Path, Action: "feed delivery " + source,
		Allowed: false, Result: "refused: " + why}
	if err := h.o.Auditor.Record(context.WithoutCancel(ctx), e); err != nil {
		h.o.Log.Error("feeds: refusal not audited", "err", err)
	}
}

// Has reports whether the hub has a source named name.
func (h *Hub) Has(name string) bool { _, ok := h.sources[name]; return ok }
