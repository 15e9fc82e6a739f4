package redirect

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// lookupTable is testdata/lookup.json, shared with the CloudFront
// Function's own test.
type lookupTable struct {
	Depth int               `json:"depth"`
	Rules map[string]string `json:"rules"`
	Cases []struct {
		Path     string `json:"path"`
		Status   int    `json:"status"`
		Location string `json:"location"`
	} `json:"cases"`
}

// TestLookupTable: the Go lookup answers every case of the table the
// CloudFront Function is tested with.
func TestLookupTable(t *testing.T) {
	b, err := os.ReadFile("testdata/lookup.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab lookupTable
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	m := map[string]Rule{}
	for k, v := range tab.Rules {
		r, _ := ParseValue(k, v)
		m[k] = r
	}
	for _, c := range tab.Cases {
		r, ok := Lookup(m, c.Path, tab.Depth)
		if ok != (c.Status != 0) || r.Status != c.Status || r.To != c.Location {
			t.Errorf("%s: got %v %v, want %d %s", c.Path, r, ok, c.Status, c.Location)
		}
	}
}

func TestCandidates(t *testing.T) {
	for path, want := range map[string][]string{
		"/a/b/c":  {"/a/b/c", "/a/b/c*", "/a/b*", "/a*"},
		"/a/b/":   {"/a/b/", "/a/b*", "/a*"},
		"/":       {"/"},
		"/a/b/c/": {"/a/b/c/", "/a/b*", "/a*"}, // depth 2
	} {
		depth := 8
		if path == "/a/b/c/" {
			depth = 2
		}
		if got := Candidates(path, depth); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestParseValue(t *testing.T) {
	if r, err := ParseValue("/x", "308 /y"); err != nil || r != (Rule{"/x", "/y", 308}) {
		t.Errorf("%v %v", r, err)
	}
	for _, v := range []string{"", "301", "300 /y", "301 /y z", "abc /y", "https://x/"} {
		if r, err := ParseValue("/x", v); err == nil || r.Status != 0 || r.To != v {
			t.Errorf("%q: %v %v", v, r, err)
		}
	}
}
