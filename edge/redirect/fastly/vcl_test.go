package fastly_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/edge/redirect"
	"github.com/opsbot/opsbot/edge/redirect/fastly"
)

// vclRegexps pulls the regular expressions redirects.vcl runs out of its
// text: the value check, the cut to Depth segments and one step up.
func vclRegexps(t *testing.T, vcl string) (value, cut, up *regexp.Regexp) {
	find := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(vcl)
		if m == nil {
			t.Fatalf("redirects.vcl lacks %s", re)
		}
		return m[1]
	}
	value = regexp.MustCompile(find(`if \(var\.v ~ \{"([^"]+)"\}\)`))
	cut = regexp.MustCompile(find(`regsub\(regsub\(var\.path, "/\+\$", ""\), \{"([^"]+)"\}, "\\1"\)`))
	up = regexp.MustCompile(find(`set var\.base = regsub\(var\.base, "([^"]+)", ""\);`))
	return value, cut, up
}

// TestVCLLookupTable runs the lookup redirects.vcl spells out (its own
// regular expressions, its number of unrolled steps) over the lookup table
// the Go lookup and the CloudFront Function are tested with, and checks
// each step's key list is redirect.Candidates. The VCL itself is not run
// here (that needs a Fastly service: README.md, "Check it").
func TestVCLLookupTable(t *testing.T) {
	b, err := os.ReadFile("redirects.vcl")
	if err != nil {
		t.Fatal(err)
	}
	vcl := string(b)
	value, cut, up := vclRegexps(t, vcl)
	steps := strings.Count(vcl, `set var.v = table.lookup(opsbot_redirects, var.base "*", "");`)
	if steps != fastly.Depth {
		t.Fatalf("%d unrolled steps, want %d", steps, fastly.Depth)
	}
	var tab struct {
		Depth int               `json:"depth"`
		Rules map[string]string `json:"rules"`
		Cases []struct {
			Path     string `json:"path"`
			Status   int    `json:"status"`
			Location string `json:"location"`
		} `json:"cases"`
	}
	b, _ = os.ReadFile("../testdata/lookup.json")
	if err := json.Unmarshal(b, &tab); err != nil || tab.Depth != fastly.Depth {
		t.Fatalf("lookup.json: %v (depth %d)", err, tab.Depth)
	}
	paths := []string{"/a/b/c/d/e/f/g/h/i/j/", "/a//b", "/x/"}
	for _, c := range tab.Cases {
		paths = append(paths, c.Path)
		keys := vclKeys(c.Path, cut, up, steps)
		v := ""
		for _, k := range keys {
			if v = tab.Rules[k]; value.MatchString(v) {
				break
			}
		}
		m := value.FindStringSubmatch(v)
		if (m == nil) != (c.Status == 0) || (m != nil && (m[1] != itoa(c.Status) || m[2] != c.Location)) {
			t.Errorf("%s: VCL gets %q, want %d %s", c.Path, v, c.Status, c.Location)
		}
	}
	for _, p := range paths {
		if got, want := vclKeys(p, cut, up, steps), redirect.Candidates(p, fastly.Depth); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: VCL looks up %q, redirect.Candidates %q", p, got, want)
		}
	}
}

// vclKeys are the keys the VCL looks up for path, in order.
func vclKeys(path string, cut, up *regexp.Regexp, steps int) []string {
	keys := []string{path}
	base := cut.ReplaceAllString(regexp.MustCompile(`/+$`).ReplaceAllString(path, ""), "$1")
	for range steps {
		if base == "" {
			break
		}
		keys = append(keys, base+"*")
		base = up.ReplaceAllString(base, "")
	}
	return keys
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
