package actions_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/schedules"
)

// BenchmarkBanConfirm measures `ban` + button confirmation through the
// router: rails, confirmation, the loopback Fastly ACL (list + patch), the
// bans record and two audit entries in the embedded engine.
func BenchmarkBanConfirm(b *testing.B) {
	wd := newWorld(b, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button"} }, nil)
	b.ResetTimer()
	for i := range b.N {
		r := wd.say(alice, fmt.Sprintf("ban 203.%d.%d.%d", i>>16&255, i>>8&255, i&255+1), false)
		if len(r.Buttons) == 0 {
			b.Fatalf("no prompt: %+v", r)
		}
		wd.say(alice, r.Buttons[0].Command, false)
	}
}

func BenchmarkRailsCheck(b *testing.B) {
	c := config.Default().Edges.Ban
	for i := range 50 {
		c.Allow = append(c.Allow, fmt.Sprintf("198.51.%d.0/24", i))
	}
	r, _ := actions.NewRails(c)
	p := netip.MustParsePrefix("203.0.113.9/32")
	for b.Loop() {
		if err := r.Check(p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

var _ schedules.Job = (*actions.Expiry)(nil)
