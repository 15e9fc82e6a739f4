// Package edge is the vocabulary shared by opsbot's edge providers (AWS WAF
// in edge/waf, Fastly in edge/fastly, Cloudflare in edge/cloudflare): what a
// ban carries, what an edge reports back, and how a call to an edge API is
// retried. The providers never import each other; package actions declares
// the interface they implement, where it uses them.
package edge

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/opsbot/opsbot/internal/text"
)

// Meta describes a ban for the edge's own record (a comment where the edge
// keeps one), so that someone looking at the edge sees who and why.
type Meta struct {
	By      string    // user ID (and name) of the requester
	Reason  string    // free text from the ban command
	Expires time.Time // when opsbot removes it
}

// Comment renders m in at most max bytes (0: no limit), cut between
// characters: it fits a limit counted in bytes or in characters.
func (m Meta) Comment(max int) string {
	s := "opsbot ban by " + m.By
	if !m.Expires.IsZero() {
		s += " until " + m.Expires.UTC().Format("2006-01-02 15:04Z")
	}
	if m.Reason != "" {
		s += ": " + m.Reason
	}
	if max > 0 {
		s = text.CutBytes(s, max) // the APIs count bytes; cut between characters
	}
	return s
}

// Entry is one prefix blocked at an edge.
type Entry struct {
	Prefix  netip.Prefix
	Comment string // the edge's comment, "" where it keeps none
}

// Status is what an edge reports after a change.
type Status struct {
	Changed bool   // false: the set already was as asked (idempotent)
	Used    int    // entries in the set after the change (0: unknown)
	Limit   int    // the set's capacity (0: unknown)
	Note    string // anything the person should know ("widened to /64")
}

// NearlyFull reports whether the set is past 90% of its capacity.
func (s Status) NearlyFull() bool { return s.Limit > 0 && s.Used*10 > s.Limit*9 }

// Errors the providers wrap.
var (
	// ErrFull: the set is at capacity; nothing was added.
	ErrFull = errors.New("edge set is full")
	// ErrUnsupported: this edge cannot hold that prefix (no IPv6 set …).
	ErrUnsupported = errors.New("not supported by this edge")
)

// Contains reports whether prefix p lies inside q.
func Contains(q, p netip.Prefix) bool {
	return q.Bits() <= p.Bits() && q.Contains(p.Addr())
}

// HTTPError is a non-success answer from an edge API.
type HTTPError struct {
	Op     string
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	b := e.Body
	b = text.Cut(b, 301)
	return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.Status, strings.TrimSpace(b))
}

// RetryStatus decides whether an HTTP status is worth retrying, with the
// reason: 429 and 5xx are, any other failure is a request to fix.
func RetryStatus(code int) (bool, string) {
	switch {
	case code == 429:
		return true, "rate limited"
	case code >= 500:
		return true, "server error"
	case code == 401 || code == 403:
		return false, "credentials refused"
	case code == 404:
		return false, "not found (check the configured IDs)"
	}
	return false, "request refused"
}
