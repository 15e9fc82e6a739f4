package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/config"
)

// TestWebNeedsItsSecrets: web off builds nothing and links nothing; on,
// a missing client secret, a missing Slack token or a bad session key
// stop serve with a message naming the variable.
func TestWebNeedsItsSecrets(t *testing.T) {
	c := config.Default()
	if confirmPage(c.Web) != nil {
		t.Error("web off: confirmations link to a page")
	}
	c.Web.BaseURL, c.Web.OIDC.Issuer, c.Web.OIDC.ClientID = "https://opsbot.example.com", "https://accounts.google.com", "abc"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := confirmPage(c.Web)("ABC234"); got != "https://opsbot.example.com/confirm/ABC234" {
		t.Errorf("confirm page %q", got)
	}
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "set OPSBOT_OIDC_CLIENT_SECRET"},
		{map[string]string{"OPSBOT_OIDC_CLIENT_SECRET": "s"}, "set SLACK_BOT_TOKEN"},
		{map[string]string{"OPSBOT_OIDC_CLIENT_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "OPSBOT_WEB_SESSION_KEY": "c2hvcnQ="}, "OPSBOT_WEB_SESSION_KEY must hold"},
		{map[string]string{"OPSBOT_OIDC_CLIENT_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "OPSBOT_WEB_SESSION_KEY": key}, ""},
	}
	for _, tc := range cases {
		o, err := webOptions(c.Web, func(k string) string { return tc.env[k] })
		switch {
		case tc.want == "" && (err != nil || o.ClientSecret != "s" || len(o.SessionKey) != 32):
			t.Errorf("%v: %v %+v", tc.env, err, o)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
}
