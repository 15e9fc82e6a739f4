package actions

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
)

// Rails are the checks every ban passes before anyone is asked to confirm.
type Rails struct {
	minV4, minV6 int
	allow        []named
}

type named struct {
	p   netip.Prefix
	why string
}

// always lists ranges no ban may touch, whatever the config says.
var always = []struct{ cidr, why string }{
	{"0.0.0.0/8", "the unspecified IPv4 range"},
	{"10.0.0.0/8", "a private range"}, {"172.16.0.0/12", "a private range"}, {"192.168.0.0/16", "a private range"},
	{"100.64.0.0/10", "the carrier-grade NAT range"},
	{"127.0.0.0/8", "loopback"}, {"169.254.0.0/16", "link-local"},
	{"224.0.0.0/4", "multicast"}, {"240.0.0.0/4", "a reserved range"},
	{"::/128", "the unspecified IPv6 address"}, {"::1/128", "loopback"},
	{"fc00::/7", "a private (unique local) range"}, {"fe80::/10", "link-local"}, {"ff00::/8", "multicast"},
}

// NewRails reads the configured minimum prefix lengths and allowlist.
func NewRails(c config.Ban) (*Rails, error) {
	r := &Rails{minV4: c.MinPrefixV4, minV6: c.MinPrefixV6}
	for _, a := range always {
		r.allow = append(r.allow, named{netip.MustParsePrefix(a.cidr), a.why})
	}
	for _, a := range c.Allow {
		p, err := config.ParsePrefix(a)
		if err != nil {
			return nil, fmt.Errorf("edges.ban.allow: %q: %w", a, err)
		}
		r.allow = append(r.allow, named{p, "on the allowlist (edges.ban.allow: office, CDN or health-check range)"})
	}
	return r, nil
}

// Parse reads an address or CIDR typed in chat. The error names what was
// wrong and shows the right form.
func Parse(s string) (netip.Prefix, error) {
	s = strings.Trim(strings.TrimSpace(s), "`<>")
	if s == "" {
		return netip.Prefix{}, opsbot.Invalidf("give an IP address or CIDR, e.g. `ban 203.0.113.9` or `ban 198.51.100.0/24`")
	}
	p, err := config.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, opsbot.Invalidf("%q is not an IP address or CIDR (e.g. 203.0.113.9, 198.51.100.0/24, 2001:db8::/48)", s)
	}
	if !strings.Contains(s, "/") {
		return p, nil
	}
	if full, _ := netip.ParsePrefix(s); full.IsValid() && full != full.Masked() {
		return netip.Prefix{}, opsbot.Invalidf("%s has host bits set: did you mean %s?", s, p)
	}
	return p, nil
}

// Check refuses prefixes too broad to ban, the default route, and any
// overlap with a range that must never be banned, including the
// requester's own addresses. An IPv6 prefix in a range that embeds IPv4
// addresses (see embeddings) is also checked as the IPv4 prefix it
// embeds, with the IPv4 rails; the requester's addresses are seen through
// the same forms.
func (r *Rails) Check(p netip.Prefix, self []netip.Addr) error {
	if !p.IsValid() {
		return opsbot.Forbiddenf("%s is not an IP address or CIDR", p)
	}
	if p.Bits() == 0 {
		return opsbot.Forbiddenf("%s is the default route: it would block everyone", p)
	}
	mine := selfViews(self)
	if why := r.refuse(p, mine); why != "" {
		return opsbot.Forbiddenf("%s %s", p, why)
	}
	for _, v := range views(p) {
		if why := r.refuse(v.p, mine); why != "" {
			return opsbot.Forbiddenf("%s embeds %s (%s): it %s", p, v.p, v.form, why)
		}
	}
	return nil
}

// refuse says why p may not be banned, or "" when it may.
func (r *Rails) refuse(p netip.Prefix, self []selfAddr) string {
	if min := r.min(p); p.Bits() < min {
		return fmt.Sprintf("is broader than /%d, the widest ban allowed (edges.ban.min_prefix_v%d); ban narrower ranges", min, map[bool]int{true: 4, false: 6}[p.Addr().Is4()])
	}
	for _, a := range r.allow {
		if a.p.Overlaps(p) {
			return fmt.Sprintf("overlaps %s, %s, which is never banned", a.p, a.why)
		}
	}
	for _, a := range self {
		if p.Contains(a.addr) {
			return "contains your own address " + a.shown.String()
		}
	}
	return ""
}

func (r *Rails) min(p netip.Prefix) int {
	if p.Addr().Is4() {
		return r.minV4
	}
	return r.minV6
}

// selfAddr is one form of the requester's address: addr is what a ban
// would contain, shown what the requester's address list said.
type selfAddr struct{ addr, shown netip.Addr }

// selfViews are self's addresses and the IPv4 addresses they embed.
func selfViews(self []netip.Addr) []selfAddr {
	var out []selfAddr
	for _, a := range self {
		a = a.Unmap()
		out = append(out, selfAddr{a, a})
		if !a.Is6() {
			continue
		}
		for _, v := range views(netip.PrefixFrom(a, 128)) {
			out = append(out, selfAddr{v.p.Addr(), a})
		}
	}
	return out
}
