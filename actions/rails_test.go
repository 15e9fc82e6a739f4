package actions_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
)

func TestRails(t *testing.T) {
	c := config.Default().Edges.Ban
	c.Allow = []string{"192.0.2.0/24", "2001:db8:ffff::/48"}
	r, err := actions.NewRails(c)
	if err != nil {
		t.Fatal(err)
	}
	self := []netip.Addr{netip.MustParseAddr("198.51.100.77")}
	for _, tc := range []struct{ in, want string }{
		{"0.0.0.0/0", "default route"},
		{"::/0", "default route"},
		{"10.0.0.1", "10.0.0.0/8, a private range"},
		{"172.20.1.1", "a private range"},
		{"127.0.0.1", "loopback"},
		{"::1", "loopback"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"::ffff:10.1.2.3", "a private range"},
		{"192.0.2.15", "on the allowlist"},
		{"192.0.0.0/16", "on the allowlist"}, // contains the office
		{"2001:db8:ffff:1::/64", "on the allowlist"},
		{"203.0.0.0/8", "broader than /16"},
		{"2001:db8::/32", "broader than /48"},
		{"198.51.100.0/24", "your own address 198.51.100.77"},
	} {
		p, err := actions.Parse(tc.in)
		if err == nil {
			err = r.Check(p, self)
		}
		if !errors.Is(err, opsbot.ErrForbidden) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, ok := range []string{"203.0.113.9", "203.0.0.0/16", "2001:db8:1::/48", "2001:db8:1::5"} {
		p, err := actions.Parse(ok)
		if err == nil {
			err = r.Check(p, self)
		}
		if err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"not-an-ip":      `"not-an-ip" is not an IP address or CIDR`,
		"203.0.113.9/24": "has host bits set: did you mean 203.0.113.0/24?",
		"1.2.3.4/33":     "is not an IP address or CIDR",
		"::ffff:0:0/88":  "has host bits set: did you mean ::ff00:0:0/88?",
		"":               "give an IP address or CIDR",
	} {
		if _, err := actions.Parse(in); !errors.Is(err, opsbot.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): %v, want %q", in, err, want)
		}
	}
}

// TestBanRefusalsAreAudited sends the dangerous bans through the router:
// each is refused before any confirmation, the edge is untouched, and the
// audit log holds every attempt as refused.
func TestBanRefusalsAreAudited(t *testing.T) {
	self := netip.MustParseAddr("198.51.100.77")
	wd := newWorld(t, nil, func(d *actions.Deps) {
		d.SelfAddrs = func(_ context.Context, u opsbot.User) []netip.Addr {
			if u.ID == alice.ID {
				return []netip.Addr{self}
			}
			return nil
		}
	})
	cases := map[string]string{
		"ban 0.0.0.0/0":            "is the default route",
		"ban 10.0.0.1":             "overlaps 10.0.0.0/8, a private range",
		"ban 64:ff9b::a00:1":       "embeds 10.0.0.1/32 (NAT64, RFC 6052): it overlaps 10.0.0.0/8",
		"ban 2002:a00:1::/48":      "embeds 10.0.0.1/32 (6to4, RFC 3056): it overlaps 10.0.0.0/8",
		"ban 192.0.2.44":           "on the allowlist",
		"ban not-an-ip":            `"not-an-ip" is not an IP address or CIDR`,
		"ban 198.51.100.77":        "your own address",
		"ban 203.0.113.9 for 90d":  "longer than the longest ban",
		"ban 1.2.3.4 for 106752d":  "longer than the longest ban, 30d (edges.ban.max_for)",
		"ban 1.2.3.4 for 0d":       "is not a positive duration: give a length up to 30d",
		"ban 203.0.113.9 for soon": `"soon" is not a duration`,
		"ban":                      "Usage: `ban IP|CIDR",
	}
	for text, want := range cases {
		r := wd.say(alice, text, false)
		if !r.Ephemeral || !strings.Contains(r.Text, want) || len(r.Buttons) != 0 {
			t.Errorf("%s: %+v, want %q", text, r, want)
		}
	}
	if len(wd.acl.ips()) != 0 || len(wd.acl.patches) != 0 {
		t.Fatalf("edge touched: %v", wd.acl.patches)
	}
	if titles := wd.slack.titles(); len(titles) != len(cases) || !strings.HasSuffix(titles[0], ": refused") {
		t.Errorf("audit room: %q", titles)
	}
	got := wd.audit()
	if len(got) != len(cases) {
		t.Fatalf("audit log has %d entries for %d attempts:\n%s", len(got), len(cases), strings.Join(got, "\n"))
	}
	for _, line := range got {
		if !strings.HasPrefix(line, "UALICE false ban") || !strings.Contains(line, "| refused: ") {
			t.Errorf("audit entry %q: want a refused ban", line)
		}
	}
}

// TestRailsSeeIPv4InIPv6 writes refused IPv4 space in the IPv6 forms that
// embed an IPv4 address (NAT64, 6to4, Teredo, mapped, compatible,
// translated): each is checked as the IPv4 it carries, and a prefix
// embedding more of IPv4 than an IPv4 ban may cover is too broad.
func TestRailsSeeIPv4InIPv6(t *testing.T) {
	c := config.Default().Edges.Ban
	c.Allow = []string{"192.0.2.0/24"}
	r, err := actions.NewRails(c)
	if err != nil {
		t.Fatal(err)
	}
	self := []netip.Addr{netip.MustParseAddr("198.51.100.77"), netip.MustParseAddr("2002:cb00:71fe::1")} // 203.0.113.254 by 6to4
	for _, tc := range []struct{ in, want string }{
		{"64:ff9b::a00:1", "embeds 10.0.0.1/32 (NAT64, RFC 6052): it overlaps 10.0.0.0/8, a private range"},
		{"64:ff9b::7f00:1", "loopback"},
		{"64:ff9b::c000:20f", "on the allowlist"},
		{"64:ff9b::/96", "embeds 0.0.0.0/0 (NAT64, RFC 6052): it is broader than /16"},
		{"64:ff9b::cb00:0/104", "embeds 203.0.0.0/8 (NAT64, RFC 6052): it is broader than /16"},
		{"64:ff9b:1::a00:1", "a private range"},      // RFC 8215 local use, /96 layout
		{"64:ff9b:1:a00:0:100::", "a private range"}, // RFC 8215 local use, /48 layout
		{"64:ff9b:1::/48", "broader than /16"},
		{"2002:a00:1::/48", "embeds 10.0.0.1/32 (6to4, RFC 3056)"},
		{"2002:a00:1::1", "a private range"},
		{"64:ff9b::cb00:71fe", "embeds 203.0.113.254/32 (NAT64, RFC 6052): it contains your own address 2002:cb00:71fe::1"},
		{"2002::/16", "broader than /48"},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "embeds 10.0.0.1/32 (Teredo, RFC 4380)"},
		{"2001:0:4136:e378::/64", "embeds 0.0.0.0/0 (Teredo, RFC 4380): it is broader than /16"},
		{"::a00:1", "embeds 10.0.0.1/32 (IPv4-compatible, RFC 4291)"},
		{"::ffff:0:a00:1", "embeds 10.0.0.1/32 (IPv4-translated, RFC 2765)"},
		{"::ff00:0:0/88", "embeds 0.0.0.0/0 (IPv4-mapped, RFC 4291): it is broader than /16"},
		{"::ffff:198.51.100.77", "your own address 198.51.100.77"},
		{"64:ff9b::c633:6400/120", "your own address 198.51.100.77"},
		{"203.0.113.254", "your own address 2002:cb00:71fe::1"},
		{"64:ff9b::cb00:7100/120", "embeds 203.0.113.0/24 (NAT64, RFC 6052): it contains your own address 2002:cb00:71fe::1"},
	} {
		p, err := actions.Parse(tc.in)
		if err == nil {
			err = r.Check(p, self)
		}
		if !errors.Is(err, opsbot.ErrForbidden) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.want)
		}
	}
	if err := r.Check(netip.MustParsePrefix("::ffff:10.0.0.1/128"), nil); !errors.Is(err, opsbot.ErrForbidden) { // not through Parse
		t.Errorf("::ffff:10.0.0.1/128: %v, want refused", err)
	}
	for _, ok := range []string{
		"64:ff9b::cb00:7109", "64:ff9b::cb00:7000/120", "64:ff9b::cc00:0/112", "64:ff9b:1::cb00:7109",
		"2002:cb00:7109::/48", "2001:0:4136:e378:8000:63bf:34ff:8ef6", "2001:db8::1",
	} {
		p, err := actions.Parse(ok)
		if err == nil {
			err = r.Check(p, self)
		}
		if err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
