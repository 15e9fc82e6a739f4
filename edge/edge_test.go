package edge_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/edge"
)

func TestMetaAndStatus(t *testing.T) {
	m := edge.Meta{By: "alice (U1)", Reason: strings.Repeat("x", 300), Expires: time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)}
	if c := m.Comment(255); len(c) != 255 || !strings.HasPrefix(c, "opsbot ban by alice (U1) until 2026-11-25 04:00Z: xxx") {
		t.Errorf("comment %q (%d)", c, len(c))
	}
	if !(edge.Status{Used: 9001, Limit: 10000}).NearlyFull() || (edge.Status{Used: 9000, Limit: 10000}).NearlyFull() || (edge.Status{Used: 5}).NearlyFull() {
		t.Error("NearlyFull: over 90% only, and never without a limit")
	}
	if !edge.Contains(netip.MustParsePrefix("2001:db8::/64"), netip.MustParsePrefix("2001:db8::1/128")) ||
		edge.Contains(netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("2001:db8::/64")) {
		t.Error("Contains")
	}
	for code, want := range map[int]bool{429: true, 500: true, 503: true, 400: false, 401: false, 404: false} {
		if got, why := edge.RetryStatus(code); got != want || why == "" {
			t.Errorf("RetryStatus(%d) = %v %q", code, got, why)
		}
	}
}
