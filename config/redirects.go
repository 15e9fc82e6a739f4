package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Redirects is the `redirects:` section: the URL redirect map kept at the
// edge (`redirect`, `unredirect`, `redirects`). Who may change it:
// operators, and access.redirectors (whose changes an operator approves).
// Credentials come from the environment, never from this file.
type Redirects struct {
	// Site is the host the map serves (www.example.org): targets on it
	// are same-site, and chains through them are followed.
	Site string `yaml:"site"`
	// AllowedHosts may be redirected to without a second operator's
	// approval; any other host needs one (an open redirect is a phishing
	// tool). Site is always allowed.
	AllowedHosts []string `yaml:"allowed_hosts"`
	// CloudFront are CloudFront KeyValueStores read by the viewer-request
	// function edge/redirect/cloudfront/function/redirects.js
	// (credentials from the default AWS chain).
	CloudFront []CloudFrontRedirects `yaml:"cloudfront"`
}

// CloudFrontRedirects is one KeyValueStore holding the map.
type CloudFrontRedirects struct {
	Name string `yaml:"name"`
	// ARN is the store's (arn:aws:cloudfront::ACCOUNT:key-value-store/ID).
	ARN string `yaml:"arn"`
	// Endpoint overrides the KeyValueStore endpoint (tests).
	Endpoint string `yaml:"endpoint"`
}

var (
	hostName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	kvsARN   = regexp.MustCompile(`^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store/[A-Za-z0-9-]+$`)
)

// Configured reports whether any edge holds a map.
func (c *Redirects) Configured() bool { return len(c.CloudFront) > 0 }

func (c *Redirects) validate(edgeNames map[string]bool) error {
	if c.Configured() && !hostName.MatchString(c.Site) {
		return fieldErr("redirects.site", "name the host the map serves, lowercase, e.g. www.example.org (got %q)", c.Site)
	}
	for i, h := range c.AllowedHosts {
		if !hostName.MatchString(h) {
			return fieldErr(fmt.Sprintf("redirects.allowed_hosts[%d]", i), "%q is not a lowercase host name (an international name in its xn-- form, no port, no trailing dot)", h)
		}
	}
	for i, cf := range c.CloudFront {
		f := fmt.Sprintf("redirects.cloudfront[%d]", i)
		switch {
		case !edgeName.MatchString(cf.Name):
			return fieldErr(f+".name", "must be lowercase letters, digits, - or _ (got %q)", cf.Name)
		case edgeNames[cf.Name]:
			return fieldErr(f+".name", "edge name %q is used twice", cf.Name)
		case !kvsARN.MatchString(cf.ARN):
			return fieldErr(f+".arn", "must be a KeyValueStore ARN, arn:aws:cloudfront::ACCOUNT:key-value-store/ID (got %q)", cf.ARN)
		case cf.Endpoint != "" && !strings.HasPrefix(cf.Endpoint, "http"):
			return fieldErr(f+".endpoint", "must be a URL, got %q", cf.Endpoint)
		}
		edgeNames[cf.Name] = true
	}
	return nil
}
