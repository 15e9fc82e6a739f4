package config_test

import (
	"testing"

	"github.com/opsbot/opsbot/config"
)

// TestParsePrefixMapped reads IPv4-mapped forms as the IPv4 they carry and
// keeps a mapped prefix broader than the mapped range an IPv6 prefix.
func TestParsePrefixMapped(t *testing.T) {
	for in, want := range map[string]string{
		"::ffff:10.1.2.3":     "10.1.2.3/32",
		"::ffff:10.0.0.0/104": "10.0.0.0/8",
		"::ffff:10.1.2.3/104": "10.0.0.0/8",
		"::ffff:0:0/96":       "0.0.0.0/0",
		"::ffff:0:0/80":       "::/80",
		"::ffff:0:0/88":       "::ff00:0:0/88",
		"2001:db8::1/48":      "2001:db8::/48",
	} {
		p, err := config.ParsePrefix(in)
		if err != nil || p.String() != want {
			t.Errorf("ParsePrefix(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
}
