package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"time"
)

// Edges is the `edges:` section: where `ban` blocks addresses, and the
// safety rails every ban passes first. Several edges may be configured at
// once; a ban goes to each. Credentials come from the environment variable
// each edge names, never from this file.
type Edges struct {
	// Ban holds the rails and defaults of `ban`.
	Ban Ban `yaml:"ban"`
	// WAF are AWS WAF IP sets (credentials from the default AWS chain).
	WAF []WAFEdge `yaml:"waf"`
	// Fastly are Fastly ACLs.
	Fastly []FastlyEdge `yaml:"fastly"`
	// Cloudflare are Cloudflare account IP lists used by a WAF custom rule.
	Cloudflare []CloudflareEdge `yaml:"cloudflare"`
}

// Ban are the rails of `ban`.
type Ban struct {
	// DefaultFor is how long a ban lasts when `for` is not given (24h).
	DefaultFor time.Duration `yaml:"default_for"`
	// MaxFor caps `for` (30 days).
	MaxFor time.Duration `yaml:"max_for"`
	// MinPrefixV4 refuses IPv4 prefixes broader than /N (16).
	MinPrefixV4 int `yaml:"min_prefix_v4"`
	// MinPrefixV6 refuses IPv6 prefixes broader than /N (48).
	MinPrefixV6 int `yaml:"min_prefix_v6"`
	// Allow are ranges never banned: offices, the CDN's own and its
	// health-check ranges. Private, loopback and link-local ranges are
	// always refused on top of these.
	Allow []string `yaml:"allow"`
}

// WAFEdge is one AWS WAF web ACL's pair of IP sets.
type WAFEdge struct {
	Name   string `yaml:"name"`
	Scope  string `yaml:"scope"`  // CLOUDFRONT or REGIONAL
	Region string `yaml:"region"` // us-east-1 for CLOUDFRONT
	IPv4   IPSet  `yaml:"ipv4"`
	IPv6   IPSet  `yaml:"ipv6"`
	// Endpoint overrides the AWS endpoint (tests, VPC endpoints).
	Endpoint string `yaml:"endpoint"`
}

// IPSet names one WAF IP set.
type IPSet struct {
	Name string `yaml:"name"`
	ID   string `yaml:"id"`
}

// FastlyEdge is one Fastly service's ACL.
type FastlyEdge struct {
	Name      string `yaml:"name"`
	ServiceID string `yaml:"service_id"`
	ACLID     string `yaml:"acl_id"`
	// TokenEnv names the variable holding the API token (FASTLY_API_TOKEN).
	TokenEnv string `yaml:"token_env"`
	Endpoint string `yaml:"endpoint"` // default https://api.fastly.com
}

// CloudflareEdge is one Cloudflare account IP list.
type CloudflareEdge struct {
	Name      string `yaml:"name"`
	AccountID string `yaml:"account_id"`
	ListID    string `yaml:"list_id"`
	// TokenEnv names the variable holding the API token (CLOUDFLARE_API_TOKEN).
	TokenEnv string `yaml:"token_env"`
	Endpoint string `yaml:"endpoint"` // default https://api.cloudflare.com/client/v4
}

func (c *Edges) defaults() {
	c.Ban = Ban{DefaultFor: 24 * time.Hour, MaxFor: 30 * 24 * time.Hour, MinPrefixV4: 16, MinPrefixV6: 48}
}

var edgeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func (c *Edges) validate() error {
	if err := c.Ban.validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	name := func(field, n string) error {
		if !edgeName.MatchString(n) {
			return fieldErr(field, "must be lowercase letters, digits, - or _ (got %q)", n)
		}
		if seen[n] {
			return fieldErr(field, "edge name %q is used twice", n)
		}
		seen[n] = true
		return nil
	}
	for i, w := range c.WAF {
		if err := w.validate(i, name); err != nil {
			return err
		}
	}
	for i, f := range c.Fastly {
		if err := f.validate(i, name); err != nil {
			return err
		}
	}
	for i, f := range c.Cloudflare {
		if err := f.validate(i, name); err != nil {
			return err
		}
	}
	return nil
}

func (b *Ban) validate() error {
	switch {
	case b.DefaultFor <= 0:
		return fieldErr("edges.ban.default_for", "must be positive, got %s", b.DefaultFor)
	case b.MaxFor < b.DefaultFor:
		return fieldErr("edges.ban.max_for", "must be at least default_for (%s), got %s", b.DefaultFor, b.MaxFor)
	case b.MinPrefixV4 < 1 || b.MinPrefixV4 > 32:
		return fieldErr("edges.ban.min_prefix_v4", "must be 1 to 32, got %d", b.MinPrefixV4)
	case b.MinPrefixV6 < 1 || b.MinPrefixV6 > 128:
		return fieldErr("edges.ban.min_prefix_v6", "must be 1 to 128, got %d", b.MinPrefixV6)
	}
	for i, a := range b.Allow {
		if _, err := ParsePrefix(a); err != nil {
			return fieldErr(fmt.Sprintf("%s[%d]", "edges.ban.allow", i), "%q is not an IP address or CIDR", a)
		}
	}
	return nil
}

// ParsePrefix reads an address ("1.2.3.4", a /32) or a CIDR ("1.2.3.0/24"),
// masked to its network. An IPv4-mapped address or prefix within
// ::ffff:0:0/96 is read as the IPv4 it maps; a broader one stays IPv6.
func ParsePrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	p = p.Masked()
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, nil
}

func (w *WAFEdge) validate(i int, name func(string, string) error) error {
	f := fmt.Sprintf("%s[%d]", "edges.waf", i)
	if err := name(f+".name", w.Name); err != nil {
		return err
	}
	switch w.Scope {
	case "CLOUDFRONT":
		if w.Region != "" && w.Region != "us-east-1" {
			return fieldErr(f+".region", "scope CLOUDFRONT lives in us-east-1, got %q", w.Region)
		}
	case "REGIONAL":
		if w.Region == "" {
			return fieldErr(f+".region", "scope REGIONAL needs the web ACL's region")
		}
	default:
		return fieldErr(f+".scope", "must be CLOUDFRONT or REGIONAL, got %q", w.Scope)
	}
	if w.IPv4.ID == "" && w.IPv6.ID == "" {
		return fieldErr(f+".ipv4", "set ipv4 and/or ipv6 to an IP set's name and id")
	}
	for fam, s := range map[string]IPSet{"ipv4": w.IPv4, "ipv6": w.IPv6} {
		if (s.ID == "") != (s.Name == "") {
			return fieldErr(f+"."+fam, "needs both name and id")
		}
	}
	return nil
}

func (e *FastlyEdge) validate(i int, name func(string, string) error) error {
	f := fmt.Sprintf("%s[%d]", "edges.fastly", i)
	if err := name(f+".name", e.Name); err != nil {
		return err
	}
	switch {
	case e.ServiceID == "":
		return fieldErr(f+".service_id", "is required")
	case e.ACLID == "":
		return fieldErr(f+".acl_id", "is required")
	case e.TokenEnv == "":
		return fieldErr(f+".token_env", "name the environment variable holding the API token, e.g. FASTLY_API_TOKEN")
	}
	return nil
}

func (e *CloudflareEdge) validate(i int, name func(string, string) error) error {
	f := fmt.Sprintf("%s[%d]", "edges.cloudflare", i)
	if err := name(f+".name", e.Name); err != nil {
		return err
	}
	switch {
	case e.AccountID == "":
		return fieldErr(f+".account_id", "is required")
	case e.ListID == "":
		return fieldErr(f+".list_id", "is required")
	case e.TokenEnv == "":
		return fieldErr(f+".token_env", "name the environment variable holding the API token, e.g. CLOUDFLARE_API_TOKEN")
	}
	return nil
}
