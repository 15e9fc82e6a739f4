package actions

import "net/netip"

// embedding is a range of IPv6 addresses that carry an IPv4 address in
// fixed bytes: traffic from such an address comes from, or is translated
// for, that IPv4 address.
type embedding struct {
	within netip.Prefix
	form   string
	at     [4]int // the bytes of the IPv6 address holding the IPv4 octets
	zero   []int  // bytes a well-formed address holds zero (RFC 6052's u octet and suffix)
	xor    byte   // Teredo obscures the client's address
}

var last32 = [4]int{12, 13, 14, 15}

// embeddings are the IPv6 forms of IPv4 addresses. The local-use NAT64
// range's prefix length is the operator's choice, so each RFC 6052 layout
// that fits in it is read.
var embeddings = []embedding{
	{within: netip.MustParsePrefix("::ffff:0:0/96"), form: "IPv4-mapped, RFC 4291", at: last32},
	{within: netip.MustParsePrefix("::/96"), form: "IPv4-compatible, RFC 4291", at: last32},
	{within: netip.MustParsePrefix("::ffff:0:0:0/96"), form: "IPv4-translated, RFC 2765", at: last32},
	{within: netip.MustParsePrefix("64:ff9b::/96"), form: "NAT64, RFC 6052", at: last32},
	{within: netip.MustParsePrefix("64:ff9b:1::/48"), form: "local-use NAT64, RFC 8215", at: [4]int{6, 7, 9, 10}, zero: []int{8, 11, 12, 13, 14, 15}},
	{within: netip.MustParsePrefix("64:ff9b:1::/48"), form: "local-use NAT64, RFC 8215", at: [4]int{7, 9, 10, 11}, zero: []int{8, 12, 13, 14, 15}},
	{within: netip.MustParsePrefix("64:ff9b:1::/48"), form: "local-use NAT64, RFC 8215", at: [4]int{9, 10, 11, 12}, zero: []int{8, 13, 14, 15}},
	{within: netip.MustParsePrefix("64:ff9b:1::/48"), form: "local-use NAT64, RFC 8215", at: last32},
	{within: netip.MustParsePrefix("2002::/16"), form: "6to4, RFC 3056", at: [4]int{2, 3, 4, 5}},
	{within: netip.MustParsePrefix("2001::/32"), form: "Teredo, RFC 4380", at: last32, xor: 0xff},
}

// view is the IPv4 prefix an IPv6 prefix embeds, and in which form.
type view struct {
	p    netip.Prefix
	form string
}

// views are the IPv4 prefixes p embeds: for each form whose range p
// overlaps, the IPv4 bits p fixes. A p covering a form's whole range
// embeds 0.0.0.0/0.
func views(p netip.Prefix) []view {
	if !p.Addr().Is6() {
		return nil
	}
	var out []view
	for _, e := range embeddings {
		if v, ok := e.view(p.Masked()); ok {
			out = append(out, view{v, e.form})
		}
	}
	return out
}

// view reads the IPv4 prefix p (masked) embeds in form e. ok is false when
// p is outside e's range or fixes bytes a well-formed address of e holds
// zero.
func (e embedding) view(p netip.Prefix) (v netip.Prefix, ok bool) {
	if !p.Overlaps(e.within) {
		return netip.Prefix{}, false
	}
	b := p.Addr().As16()
	for _, i := range e.zero {
		if b[i] != 0 {
			return netip.Prefix{}, false
		}
	}
	var v4 [4]byte
	bits := 0
	for k, i := range e.at {
		v4[k] = b[i] ^ e.xor
		bits += min(max(p.Bits()-8*i, 0), 8)
	}
	return netip.PrefixFrom(netip.AddrFrom4(v4), bits).Masked(), true
}
