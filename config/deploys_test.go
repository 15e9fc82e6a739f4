package config_test

import (
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
)

// TestDeploysConfig: a service loads with its defaults, its confirmation
// per environment (totp unless set), and the freeze window applies in the
// team's time zone, to the environments it names, up to midnight.
func TestDeploysConfig(t *testing.T) {
	c, err := config.Load("testdata/deploys_good.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Deploys
	api := d.Services["api"]
	if d.Poll != 10*time.Second || d.FindRunWithin != 2*time.Minute || d.GitHub.TokenEnv != "OPSBOT_DEPLOY_TOKEN" ||
		api.Confirm("staging") != "button" || api.Confirm("production") != "totp" {
		t.Fatalf("deploys %+v", d)
	}
	loc := c.Location()
	for _, tc := range []struct {
		at     time.Time
		env    string
		frozen bool
	}{
		{time.Date(2026, 12, 4, 14, 59, 0, 0, time.UTC), "production", false}, // Fri 15:59 Berlin
		{time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), "production", true},   // Fri 16:00
		{time.Date(2026, 12, 4, 22, 59, 0, 0, time.UTC), "production", true},  // Fri 23:59
		{time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC), "production", false},  // Sat 00:00
		{time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC), "staging", false},
	} {
		if _, got := d.Frozen(tc.at, loc, tc.env); got != tc.frozen {
			t.Errorf("%s %s: frozen %v, want %v", tc.at.In(loc), tc.env, got, tc.frozen)
		}
	}
}
