package config

import (
	"net/url"
	"strings"
	"time"
)

// Web is the `web:` section: the pages opsbot serve shows (confirmations
// of write commands, daily reports, answers), behind sign-in with the
// team's OpenID Connect provider. Off unless base_url is set; a section
// set in part is an error naming what is missing. The client secret and
// the session key come from the environment only.
type Web struct {
	// BaseURL is where people reach the pages (https://opsbot.example.com);
	// links in chat and the sign-in redirect (BASE/auth/callback) use it.
	BaseURL string `yaml:"base_url"`
	// SessionKeyEnv names the variable holding a base64 32-byte key that
	// signs session cookies (OPSBOT_WEB_SESSION_KEY); unset: a key drawn
	// at start, so sessions end with a restart.
	SessionKeyEnv string `yaml:"session_key_env"`
	// Session is how long a sign-in lasts (30m).
	Session time.Duration `yaml:"session"`
	OIDC    OIDC          `yaml:"oidc"`
}

// OIDC is the `web.oidc:` section: the identity provider.
type OIDC struct {
	// Issuer is the provider's issuer URL (https://accounts.google.com,
	// https://slack.com); its discovery document is read at start.
	Issuer   string `yaml:"issuer"`
	ClientID string `yaml:"client_id"`
	// ClientSecretEnv names the variable holding the client secret
	// (OPSBOT_OIDC_CLIENT_SECRET).
	ClientSecretEnv string `yaml:"client_secret_env"`
	// AllowedDomain is the Google Workspace domain whose accounts may sign
	// in (the ID token's hd claim); empty: any verified email that maps
	// to a Slack user.
	AllowedDomain string `yaml:"allowed_domain"`
}

// ConfirmOIDC is the confirmation method of a sign-in on the web page.
const ConfirmOIDC = "oidc"

func (c *Web) defaults() {
	c.SessionKeyEnv = "OPSBOT_WEB_SESSION_KEY"
	c.Session = 30 * time.Minute
	c.OIDC.ClientSecretEnv = "OPSBOT_OIDC_CLIENT_SECRET"
}

// On reports whether the pages are configured.
func (c *Web) On() bool { return c.BaseURL != "" }

func (c *Web) validate(a Access) error {
	if !c.On() {
		for cmd, m := range a.Confirm {
			if m == ConfirmOIDC {
				return fieldErr("access.confirm."+cmd, "oidc confirms on a web page: set web.base_url and web.oidc")
			}
		}
		if c.OIDC.Issuer != "" || c.OIDC.ClientID != "" {
			return fieldErr("web.base_url", "is needed with web.oidc (where people reach opsbot's pages, https://…)")
		}
		return nil
	}
	switch {
	case !httpsURL(c.BaseURL):
		return fieldErr("web.base_url", "must be an https:// URL (http only for a loopback host), got %q", c.BaseURL)
	case strings.Trim(urlPath(c.BaseURL), "/") != "":
		return fieldErr("web.base_url", "is the site's root (the pages live at /confirm, /reports, /ask, /auth), got the path %q", urlPath(c.BaseURL))
	case c.OIDC.Issuer == "":
		return fieldErr("web.oidc.issuer", "is needed with web.base_url (https://accounts.google.com, https://slack.com …)")
	case !httpsURL(c.OIDC.Issuer):
		return fieldErr("web.oidc.issuer", "must be an https:// URL (http only for a loopback host), got %q", c.OIDC.Issuer)
	case c.OIDC.ClientID == "":
		return fieldErr("web.oidc.client_id", "is needed with web.base_url: the client ID the provider gave opsbot")
	case c.OIDC.ClientSecretEnv == "":
		return fieldErr("web.oidc.client_secret_env", "name the environment variable holding the client secret")
	case c.SessionKeyEnv == "":
		return fieldErr("web.session_key_env", "name the environment variable holding the session key")
	case c.Session < time.Minute || c.Session > 12*time.Hour:
		return fieldErr("web.session", "must be between 1m and 12h, got %s", c.Session)
	case strings.ContainsAny(c.OIDC.AllowedDomain, "@/ "):
		return fieldErr("web.oidc.allowed_domain", "is a domain name (example.com), got %q", c.OIDC.AllowedDomain)
	}
	return nil
}

func urlPath(s string) string {
	u, _ := url.Parse(s)
	return u.Path
}

// httpsURL is an absolute https URL, or http to a loopback host.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	h := u.Hostname()
	return u.Scheme == "https" || u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1")
}
