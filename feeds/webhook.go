package feeds

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/opsbot/opsbot"
)

// MaxBody is the largest webhook body read (GitHub caps payloads at 25 MB;
// the events taken here are far smaller).
const MaxBody = 1 << 20

// ErrTooLarge is a body over MaxBody.
var ErrTooLarge = errors.New("body too large")

// ReadBody reads r's body up to MaxBody.
func ReadBody(rw http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxBody))
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, ErrTooLarge
	}
	return b, err
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

// Refuse answers 401 and records the refusal in the audit log.
func (h *Hub) Refuse(ctx context.Context, rw http.ResponseWriter, r *http.Request, source, why string) {
	h.o.Log.Warn("feeds: webhook refused", "source", source, "remote", r.RemoteAddr, "why", why)
	if h.o.Auditor != nil {
		e := opsbot.AuditEntry{Time: h.o.Clock.Now(), User: opsbot.User{ID: "webhook:" + r.RemoteAddr, Name: source},
			Transport: "webhook", Text: r.Method + " " + r.URL.Path, Action: "feed delivery " + source,
			Allowed: false, Result: "refused: " + why}
		if err := h.o.Auditor.Record(context.WithoutCancel(ctx), e); err != nil {
			h.o.Log.Error("feeds: refusal not audited", "err", err)
		}
	}
	http.Error(rw, "unauthorized", http.StatusUnauthorized)
}

// Has reports whether the hub has a source named name.
func (h *Hub) Has(name string) bool { _, ok := h.sources[name]; return ok }
