package redirect

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// MaxURL is the longest target accepted, before any edge's own limit.
const MaxURL = 2048

// Policy holds what every rule is checked against.
type Policy struct {
	// Site is the host the map serves (www.example.org): an https URL on
	// it is a same-site target, part of the map's chains.
	Site string
	// AllowedHosts may be redirected to without a second operator.
	AllowedHosts []string
}

// Target is a checked redirect target.
type Target struct {
	URL     string // canonical form, what the edge stores
	Path    string // the path when it is on the same site ("" otherwise): where chains continue
	Host    string // "" for a bare path
	Offsite bool   // on a host outside Site and AllowedHosts: needs an approval
}

// NormalizePath checks a rule's source and returns its canonical form: a
// path starting with one "/", percent-escapes decoded once (an encoded
// slash becomes a slash) and re-escaped canonically, no "." or ".."
// segment, no empty segment, no query, fragment, backslash, space or
// control character. A trailing "*" makes a prefix rule (not for "/").
func NormalizePath(s string) (string, error) {
	star := strings.HasSuffix(s, "*")
	p := strings.TrimSuffix(s, "*")
	if err := plainText(s); err != nil {
		return "", err
	}
	switch {
	case !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//"):
		return "", fmt.Errorf("%q is not a path: write it as /old/path, starting with one /", s)
	case strings.ContainsAny(p, "?#"):
		return "", fmt.Errorf("%q has a query or fragment: the map matches paths only", s)
	case strings.Contains(p, "*"):
		return "", fmt.Errorf("%q: * may only end a prefix rule (/campaign*)", s)
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("%q has a broken %%-escape: %v", s, err)
	}
	if err := decodedText(dec, s); err != nil {
		return "", err
	}
	if err := segments(dec, s); err != nil {
		return "", err
	}
	canon := (&url.URL{Path: dec}).EscapedPath()
	if star {
		if canon = strings.TrimRight(canon, "/"); canon == "" {
			return "", fmt.Errorf("a prefix rule for the whole site (/*) is refused: name a section, e.g. /campaign*")
		}
		canon += "*"
	}
	return canon, nil
}

// segments refuses ".", ".." and empty segments (but a trailing slash).
func segments(dec, orig string) error {
	parts := strings.Split(dec, "/")[1:]
	for i, seg := range parts {
		switch {
		case seg == "." || seg == "..":
			return fmt.Errorf("%q has a %q segment: write the path it means", orig, seg)
		case seg == "" && i < len(parts)-1:
			return fmt.Errorf("%q has an empty segment (//)", orig)
		case escaped.MatchString(seg):
			return fmt.Errorf("%q is escaped twice: write it with one level of %%-escapes", orig)
		}
	}
	return nil
}

var escaped = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// decodedText refuses control characters, backslashes and invisible
// format characters that were %-escaped; an escaped space is a path's own.
func decodedText(dec, orig string) error {
	for _, r := range dec {
		if unicode.IsControl(r) || r == '\\' || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%q holds an escaped control character or backslash: a browser reads those its own way", orig)
		}
	}
	return nil
}

// plainText refuses control characters, spaces, backslashes and
// invisible format characters.
func plainText(s string) error {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\\' || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%q holds a control character, space or backslash: a browser reads those its own way", s)
		}
	}
	return nil
}

// authority is what a target's host part may be: ASCII letters, digits,
// dots and hyphens (IDN hosts in their xn-- form), no port.
var authority = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)

// Target checks a redirect target: an absolute https URL, or a path on the
// same site. Refused: other schemes (javascript:, http:), scheme-relative
// //host, https:host, userinfo, ports, trailing dots, non-ASCII or escaped
// hosts, backslashes, control characters. A host outside Site and
// AllowedHosts is not refused but marked Offsite.
func (p Policy) Target(s string) (Target, error) {
	if err := plainText(s); err != nil {
		return Target{}, err
	}
	if len(s) > MaxURL {
		return Target{}, fmt.Errorf("the target is %d bytes long, more than %d", len(s), MaxURL)
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return p.pathTarget(s)
	}
	rest, ok := cutScheme(s)
	if !ok {
		return Target{}, fmt.Errorf("%q is neither an https:// URL nor a /path: only https targets are allowed (no http:, javascript:, //host)", s)
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	host, _, _ = strings.Cut(host, "#")
	if err := checkHost(host, s); err != nil {
		return Target{}, err
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Host == "" {
		return Target{}, fmt.Errorf("%q is not a plain https URL", s)
	}
	u.Host = strings.ToLower(u.Host)
	t := Target{URL: u.String(), Host: u.Host}
	if u.Path == "" {
		t.URL = strings.Replace(t.URL, u.Host, u.Host+"/", 1)
	}
	if t.Host == strings.ToLower(p.Site) {
		t.Path = cmpPath(u)
	}
	t.Offsite = t.Host != strings.ToLower(p.Site) && !slices.ContainsFunc(p.AllowedHosts, func(h string) bool { return strings.EqualFold(h, t.Host) })
	return t, nil
}

// cutScheme cuts a case-insensitive "https://" off s.
func cutScheme(s string) (string, bool) {
	if len(s) < 8 || !strings.EqualFold(s[:8], "https://") {
		return "", false
	}
	return s[8:], true
}

func checkHost(host, s string) error {
	switch {
	case host == "":
		return fmt.Errorf("%q names no host", s)
	case strings.HasPrefix(host, "["):
		return fmt.Errorf("%q: IP literal hosts are refused, name the host", s)
	case strings.Contains(host, "@"):
		return fmt.Errorf("%q has a user part (user@host): it hides the real host, refused", s)
	case strings.Contains(host, ":"):
		return fmt.Errorf("%q names a port: redirect to the standard https port only", s)
	case strings.HasSuffix(host, "."):
		return fmt.Errorf("%q: write the host without a trailing dot", s)
	case !authority.MatchString(host):
		return fmt.Errorf("%q: the host must be plain ASCII (write an international name in its xn-- form), without %%-escapes", s)
	case strings.Contains(host, ".."):
		return fmt.Errorf("%q: the host has an empty label", s)
	}
	return nil
}

// pathTarget checks a same-site path target, which may carry a query.
func (p Policy) pathTarget(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return Target{}, fmt.Errorf("%q is not a plain path", s)
	}
	path, err := NormalizePath(u.EscapedPath())
	if err != nil || strings.HasSuffix(path, "*") {
		return Target{}, fmt.Errorf("target %q: not a plain path: %v", s, err)
	}
	u.Path, u.RawPath = "", ""
	return Target{URL: path + u.String(), Path: path}, nil
}

// cmpPath is u's path in the canonical form NormalizePath gives ("/" when
// empty, "" when it is not a plain path).
func cmpPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	c, err := NormalizePath(p)
	if err != nil {
		return ""
	}
	return c
}
