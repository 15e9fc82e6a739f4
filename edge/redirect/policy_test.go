package redirect

import (
	"errors"
	"strings"
	"testing"
)

var pol = Policy{Site: "www.example.org", AllowedHosts: []string{"shop.example.org"}}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/old/path":       "/old/path",
		"/old%2Fpath":     "/old/path", // an encoded slash is decoded once
		"/caf%C3%A9":      "/caf%C3%A9",
		"/café":           "/caf%C3%A9",
		"/a%20b":          "/a%20b",
		"/campaign*":      "/campaign*",
		"/campaign/*":     "/campaign*",
		"/x/":             "/x/",
		"/%7Euser":        "/~user",
		"/100%25":         "/100%25",
		"/A/B":            "/A/B", // paths are case-sensitive at CloudFront and Fastly
		"/donate-now":     "/donate-now",
		"/p;jsessionid=1": "/p;jsessionid=1",
	} {
		got, err := NormalizePath(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"old":          "not a path",
		"//evil.com":   "not a path",
		"/a/../b":      `".." segment`,
		"/a/%2E%2E/b":  `".." segment`,
		"/a/./b":       `"." segment`,
		"/a//b":        "empty segment",
		"/a?b=1":       "query",
		"/a#b":         "query or fragment",
		"/a*b":         "* may only end",
		"/*":           "whole site",
		"/a%252Fb":     "escaped twice",
		"/a\\b":        "backslash",
		"/a%5Cb":       "backslash",
		"/a%0Ab":       "escaped control character",
		"/a b":         "space",
		"/a\u200bb":    "control character",
		"/a%zz":        "broken",
		"https://x/y":  "not a path",
		"javascript:1": "not a path",
	} {
		if _, err := NormalizePath(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want %q", in, err, why)
		}
	}
}

// TestTargetAttacks: what an attacker (or a slip) writes as a target is
// refused, or marked offsite so that a second operator must approve it.
func TestTargetAttacks(t *testing.T) {
	refused := map[string]string{
		`https://evil.com\@www.example.org`:         "backslash",
		"//evil.com":                                "neither",
		"//www.example.org/x":                       "neither",
		"https:evil.com":                            "neither",
		"https:/evil.com":                           "neither",
		"https:///evil.com":                         "names no host",
		"http://www.example.org/x":                  "neither",
		"javascript:alert(1)":                       "neither",
		"JaVaScRiPt:alert(1)":                       "neither",
		"data:text/html,<script>":                   "neither",
		"https://www.example.org@evil.com/":         "user part",
		"https://user:pw@www.example.org/":          "user part",
		"https://www.example.org:8443/x":            "port",
		"https://www.example.org:443/x":             "port",
		"https://www.example.org./x":                "trailing dot",
		"https://www.exämple.org/x":                 "plain ASCII",
		"https://www%2eexample.org/x":               "plain ASCII",
		"https://[::1]/x":                           "IP literal",
		"https://www..example.org/":                 "empty label",
		"https://www.example.org/\x00":              "control",
		"https://www.example.org/a\r\nSet-Cookie:x": "control",
		"https://www.example.org/a b":               "space",
		"/a/../../evil":                             "not a plain path",
		"":                                          "neither",
	}
	for in, why := range refused {
		if tg, err := pol.Target(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %+v %v, want %q", in, tg, err, why)
		}
	}
	for in, want := range map[string]Target{
		"https://www.example.org/donate":    {URL: "https://www.example.org/donate", Host: "www.example.org", Path: "/donate"},
		"HTTPS://WWW.Example.ORG/Donate":    {URL: "https://www.example.org/Donate", Host: "www.example.org", Path: "/Donate"},
		"https://www.example.org":           {URL: "https://www.example.org/", Host: "www.example.org", Path: "/"},
		"https://shop.example.org/a?b=1":    {URL: "https://shop.example.org/a?b=1", Host: "shop.example.org"},
		"https://evil.com/login":            {URL: "https://evil.com/login", Host: "evil.com", Offsite: true},
		"https://www.example.org.evil.com/": {URL: "https://www.example.org.evil.com/", Host: "www.example.org.evil.com", Offsite: true},
		"https://xn--exmple-cua.org/":       {URL: "https://xn--exmple-cua.org/", Host: "xn--exmple-cua.org", Offsite: true},
		"/new/place":                        {URL: "/new/place", Path: "/new/place"},
		"/new%2Fplace?utm=chat#top":         {URL: "/new/place?utm=chat#top", Path: "/new/place"},
	} {
		got, err := pol.Target(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
}

func rule(from, to string) Rule { return Rule{From: from, To: to, Status: 301} }

func check(have []Rule, r Rule, replace bool) error {
	t, err := pol.Target(r.To)
	if err != nil {
		return err
	}
	return pol.Check(Map(have), r, t, replace, 8)
}

func TestCheckLoopsChainsConflicts(t *testing.T) {
	have := []Rule{rule("/b", "/c"), rule("/x", "https://www.example.org/a"), rule("/old", "https://shop.example.org/")}
	cases := []struct {
		r    Rule
		want string
	}{
		{rule("/a", "/a"), "covers itself"},
		{rule("/sec*", "/sec/new"), "covers itself"},
		{rule("/c", "/b"), "a loop: /c → /b → /c"},
		{rule("/c", "https://www.example.org/b"), "a loop"},
		{rule("/q", "/b"), "point it straight there: `redirect /q /c 301`"},
		{rule("/a", "/z"), "/x already redirects to https://www.example.org/a"},
		{rule("/a*", "/z"), "/x already redirects"},
		{rule("/old", "/new"), "add --replace"},
	}
	for _, c := range cases {
		if err := check(have, c.r, false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.r, err, c.want)
		}
	}
	var conflict *Conflict
	if err := check(have, rule("/old", "/new"), false); !errors.As(err, &conflict) || conflict.Have.To != "https://shop.example.org/" {
		t.Errorf("conflict: %v", err)
	}
	for _, ok := range []Rule{rule("/old", "/new"), rule("/d", "/c"), rule("/d", "https://evil.com/"), rule("/c/x", "/e")} {
		if err := check(have, ok, ok.From == "/old"); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

func TestFollow(t *testing.T) {
	m := Map([]Rule{rule("/a", "/b"), rule("/b", "https://www.example.org/c"), rule("/c", "https://shop.example.org/"), rule("/l1", "/l2"), rule("/l2", "/l1")})
	hops, loop := pol.Follow(m, "/a", 8)
	if loop || len(hops) != 3 || hops[2].Rule.To != "https://shop.example.org/" {
		t.Errorf("%+v %v", hops, loop)
	}
	if hops, loop := pol.Follow(m, "/l1", 8); !loop || len(hops) != 2 {
		t.Errorf("loop: %+v %v", hops, loop)
	}
	if hops, loop := pol.Follow(m, "/none", 8); loop || len(hops) != 0 {
		t.Errorf("none: %+v %v", hops, loop)
	}
}

// TestSameTarget: a same-site path and its https URL on the site are one
// target; another host or scheme is not.
func TestSameTarget(t *testing.T) {
	p := Policy{Site: "www.example.org"}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"/promo?x=1", "https://www.example.org/promo?x=1", true},
		{"https://WWW.example.org/a", "/a", true},
		{"/a", "/a", true},
		{"/a", "https://shop.example.org/a", false},
		{"/a", "https://www.example.org.evil.com/a", false},
		{"/a", "http://www.example.org/a", false},
		{"/a", "https://www.example.org/b", false},
	} {
		if got := p.SameTarget(c.a, c.b); got != c.same {
			t.Errorf("SameTarget(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
