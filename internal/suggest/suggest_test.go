package suggest_test

import (
	"testing"

	"github.com/opsbot/opsbot/internal/suggest"
)

// TestOneEditPerThreeRunes: the cut-off grows with what was typed, so that
// short words take one typo and long phrases a few.
func TestOneEditPerThreeRunes(t *testing.T) {
	for _, c := range []struct {
		typed string
		cands []string
		want  string
	}{
		{"ipz", []string{"ip", "by"}, "ip"},
		{"slowset", []string{"slowest", "slow"}, "slowest"},
		{"staus", []string{"status"}, "status"},
		{"/foo", []string{"for"}, ""},
		{"a", []string{"as"}, ""},
		{"TPO 4xx by ip", []string{"top 5xx by path", "top 4xx by ip"}, "top 4xx by ip"},
		{"what is the meaning of life", []string{"top 4xx by ip", "hits 1.2.3.4"}, ""},
	} {
		got, ok := suggest.Nearest(c.typed, c.cands)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Nearest(%q) = %q, %v; want %q", c.typed, got, ok, c.want)
		}
	}
}
