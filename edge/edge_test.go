package edge_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// TestCutsKeepCharactersWhole: a comment and an error body cut where a
// multi-byte character stands keep it whole or leave it out.
func TestCutsKeepCharactersWhole(t *testing.T) {
	m := edge.Meta{By: "U1", Reason: strings.Repeat("中", 100)} // "opsbot ban by U1: " is 18 bytes, 中 3
	if c := m.Comment(20); c != "opsbot ban by U1: " {
		t.Errorf("comment %q", c)
	}
	if c := m.Comment(21); c != "opsbot ban by U1: 中" {
		t.Errorf("comment %q", c)
	}
	e := &edge.HTTPError{Op: "PATCH", Status: 400, Body: strings.Repeat("a", 299) + "é" + strings.Repeat("b", 10)}
	if !utf8.ValidString(e.Error()) || !strings.Contains(e.Error(), strings.Repeat("a", 299)+"é…") {
		t.Errorf("error %q", e.Error())
	}
}
