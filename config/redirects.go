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
	// Fastly are edge dictionaries read by the VCL snippets in
	// edge/redirect/fastly/redirects.vcl.
	Fastly []FastlyRedirects `yaml:"fastly"`
	// Cloudflare are Bulk Redirects lists (account lists of kind
	// redirect) enabled by a Bulk Redirect rule.
	Cloudflare []CloudflareRedirects `yaml:"cloudflare"`
}

// FastlyRedirects is one Fastly edge dictionary holding the map.
type FastlyRedirects struct {
	Name         string `yaml:"name"`
	ServiceID    string `yaml:"service_id"`
	DictionaryID string `yaml:"dictionary_id"`
	// TokenEnv names the variable holding the API token.
	TokenEnv string `yaml:"token_env"`
	Endpoint string `yaml:"endpoint"` // default https://api.fastly.com
}

// CloudflareRedirects is one Cloudflare Bulk Redirects list.
type CloudflareRedirects struct {
	Name      string `yaml:"name"`
	AccountID string `yaml:"account_id"`
	ListID    string `yaml:"list_id"`
	// TokenEnv names the variable holding the API token.
	TokenEnv string `yaml:"token_env"`
	Endpoint string `yaml:"endpoint"` // default https://api.cloudflare.com/client/v4
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
	fastlyID = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
	cfID     = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Configured reports whether any edge holds a map.
func (c *Redirects) Configured() bool {
	return len(c.CloudFront)+len(c.Fastly)+len(c.Cloudflare) > 0
}

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
	for i, f := range c.Fastly {
		if err := f.validate(fmt.Sprintf("redirects.fastly[%d]", i), edgeNames); err != nil {
			return err
		}
	}
	for i, cf := range c.Cloudflare {
		if err := cf.validate(fmt.Sprintf("redirects.cloudflare[%d]", i), edgeNames); err != nil {
			return err
		}
	}
	return nil
}

// redirectEdge checks what every redirect edge has: a name used once, a
// token variable, an endpoint URL.
func redirectEdge(f, name, tokenEnv, endpoint, example string, names map[string]bool) error {
	switch {
	case !edgeName.MatchString(name):
		return fieldErr(f+".name", "must be lowercase letters, digits, - or _ (got %q)", name)
	case names[name]:
		return fieldErr(f+".name", "edge name %q is used twice", name)
	case !envName.MatchString(tokenEnv):
		return fieldErr(f+".token_env", "name the environment variable holding the API token, e.g. %s (the token itself never goes in this file; got %q)", example, tokenEnv)
	case endpoint != "" && !strings.HasPrefix(endpoint, "http"):
		return fieldErr(f+".endpoint", "must be a URL, got %q", endpoint)
	}
	names[name] = true
	return nil
}

func (r *FastlyRedirects) validate(f string, names map[string]bool) error {
	switch {
	case !fastlyID.MatchString(r.ServiceID):
		return fieldErr(f+".service_id", "must be the service's alphanumeric ID (got %q)", r.ServiceID)
	case !fastlyID.MatchString(r.DictionaryID):
		return fieldErr(f+".dictionary_id", "must be the edge dictionary's alphanumeric ID, not its name (got %q)", r.DictionaryID)
	}
	return redirectEdge(f, r.Name, r.TokenEnv, r.Endpoint, "FASTLY_API_TOKEN", names)
}

func (r *CloudflareRedirects) validate(f string, names map[string]bool) error {
	switch {
	case !cfID.MatchString(r.AccountID):
		return fieldErr(f+".account_id", "must be the account's ID, 32 lowercase hex digits (got %q)", r.AccountID)
	case !cfID.MatchString(r.ListID):
		return fieldErr(f+".list_id", "must be the list's ID, 32 lowercase hex digits, not its name (got %q)", r.ListID)
	}
	return redirectEdge(f, r.Name, r.TokenEnv, r.Endpoint, "CLOUDFLARE_API_TOKEN", names)
}
