package config_test

import (
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
)

func TestWritesConfig(t *testing.T) {
	c, err := config.Load("testdata/writes_good.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Edges.Ban
	if b.DefaultFor != 12*time.Hour || b.MaxFor != 7*24*time.Hour || b.MinPrefixV4 != 20 || b.MinPrefixV6 != 56 || len(b.Allow) != 3 {
		t.Errorf("ban %+v", b)
	}
	if len(c.Edges.WAF) != 1 || c.Edges.WAF[0].IPv6.Name != "opsbot-bans-v6" || c.Edges.Fastly[0].TokenEnv != "FASTLY_API_TOKEN" || c.Edges.Cloudflare[0].ListID == "" {
		t.Errorf("edges %+v", c.Edges)
	}
	a := c.Access
	if a.ConfirmMethod("ban") != "totp" || a.ConfirmMethod("unban") != "button" || a.ConfirmMethod("page") != "approval" || a.ConfirmWithin != 3*time.Minute ||
		a.TOTP.MaxFailures != 3 || a.TOTP.Lockout != time.Hour {
		t.Errorf("access %+v", a)
	}
	d := config.Default()
	if d.Edges.Ban.DefaultFor != 24*time.Hour || d.Edges.Ban.MinPrefixV4 != 16 || d.Edges.Ban.MinPrefixV6 != 48 ||
		d.Access.ConfirmMethod("ban") != "totp" || d.Access.ConfirmWithin != 5*time.Minute || d.Access.SecretKeyEnv != "OPSBOT_SECRET_KEY" ||
		d.Access.TOTP.MaxFailures != 5 || d.Access.TOTP.Lockout != 15*time.Minute {
		t.Errorf("defaults %+v %+v", d.Edges.Ban, d.Access)
	}
}
