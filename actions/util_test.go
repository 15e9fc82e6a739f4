package actions

import (
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// TestParseFor reads the lengths people type and refuses, with the form
// and the limit, what is not one, not positive, or past the limit,
// including counts that overflow time.Duration when multiplied out.
func TestParseFor(t *testing.T) {
	max := 30 * day
	for in, want := range map[string]time.Duration{
		"30m": 30 * time.Minute, "24h": day, "7d": 7 * day, "2w": 14 * day, "30d": max, "1h30m": 90 * time.Minute, "720h": max,
	} {
		if d, err := parseFor(in, max); err != nil || d != want {
			t.Errorf("parseFor(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
	for in, want := range map[string]string{
		"106752d":               `"106752d" is longer than the longest ban, 30d`, // wrapped to a negative duration
		"15250w":                "is longer than the longest ban, 30d",
		"213503982335d":         "is longer than the longest ban, 30d", // wrapped to a positive one
		"99999999999999999999d": "is longer than the longest ban, 30d",
		"31d":                   "is longer than the longest ban, 30d (edges.ban.max_for)",
		"721h":                  "is longer than the longest ban, 30d",
		"2562048h":              `"2562048h" is not a duration: give a length up to 30d, e.g. 30m, 24h, 7d, 2w`,
		"0d":                    `"0d" is not a positive duration: give a length up to 30d`,
		"0s":                    "is not a positive duration",
		"-5m":                   "is not a positive duration",
		"-5d":                   `"-5d" is not a duration`,
		"+5d":                   `"+5d" is not a duration`,
		"soon":                  `"soon" is not a duration`,
		"d":                     `"d" is not a duration`,
	} {
		if d, err := parseFor(in, max); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseFor(%q) = %v, %v; want %q", in, d, err, want)
		}
	}
}

// FuzzParseFor holds parseFor to its invariant: what it accepts is
// positive and at most the limit.
func FuzzParseFor(f *testing.F) {
	for _, s := range []string{"30m", "7d", "2w", "106752d", "15250w", "2562047h", "1h30m", "-1d", "0d", "9223372036854775807ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, max := range []time.Duration{30 * day, time.Hour, 1<<63 - 1} {
			d, err := parseFor(s, max)
			if err == nil && (d <= 0 || d > max) {
				t.Fatalf("parseFor(%q, %v) accepted %v", s, max, d)
			}
		}
	})
}

// TestCapitalizeTheFirstCharacter: an error starting with a multi-byte
// letter is capitalized whole, not cut inside it.
func TestCapitalizeTheFirstCharacter(t *testing.T) {
	for in, want := range map[string]string{"élan lost": "Élan lost", "x": "X", "": "", "\xffa": "\xffa"} {
		if got := capitalize(in); got != want {
			t.Errorf("capitalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// A deploy's REF goes into GitHub API paths (compare/BASE...REF): only
// plain git refs pass.
func TestDeployRefs(t *testing.T) {
	for _, ref := range []string{"v1.2.3", "main", "release/2026-12", "0123456789abcdef0123456789abcdef01234567", "feat_x.y-z"} {
		if _, got, _, err := parseDeploy([]string{"api", ref}); err != nil || got != ref {
			t.Errorf("%q refused: %v", ref, err)
		}
	}
	for _, ref := range []string{"../../../user/repos", "main?per_page=1", "a#b", "a%2fb", "-x", "/main", "main/", "a//b", "a..b",
		"x.lock", "a b", "a\x00b", "a\u202eb", "ré", strings.Repeat("a", 201)} {
		if _, _, _, err := parseDeploy([]string{"api", ref, "to", "production"}); err == nil {
			t.Errorf("%q accepted", ref)
		}
	}
}
