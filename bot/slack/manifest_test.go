package slack_test

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// The manifest asks for what the transport uses: the events it answers,
// the scopes of the Web API methods it calls, the slash command, Socket Mode.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			Slash []struct{ Command string } `yaml:"slash_commands"`
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			}
			Socket bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"app_mention", "message.channels", "message.im"} {
		if !slices.Contains(m.Settings.Events.Bot, e) {
			t.Errorf("event %s missing", e)
		}
	}
	for _, s := range []string{"app_mentions:read", "chat:write", "commands", "files:write", "reactions:write", "users:read", "channels:read", "im:history", "im:write", "channels:history"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, s) {
			t.Errorf("scope %s missing", s)
		}
	}
	if len(m.Features.Slash) != 1 || m.Features.Slash[0].Command != "/opsbot" || !m.Settings.Socket || !m.Settings.Interactivity.Enabled {
		t.Errorf("manifest: %+v", m)
	}
}
