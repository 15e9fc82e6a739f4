package config_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot/config"
)

func TestFeedsGood(t *testing.T) {
	c, err := config.Load("testdata/feeds_good.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Feeds
	if f.Interval != 10*time.Minute || len(f.Sources) != 3 {
		t.Fatalf("feeds %+v", f)
	}
	want := config.FeedSource{Name: "web-prs", Kind: "github", Repos: []string{"acme/web"}, SecretEnv: "GITHUB_WEBHOOK_SECRET", Merged: true,
		Routes: []config.FeedRoute{{Scope: "acme/*", Room: "#eng-prs", Base: []string{"main"}, Drafts: "exclude", Labels: []string{"cdn"}}}}
	if !reflect.DeepEqual(f.Sources[0], want) {
		t.Errorf("github %+v", f.Sources[0])
	}
	if s := f.Sources[2]; s.Interval != 2*time.Minute || !s.Routes[0].Replies || s.Accounts[0] != "bsky.app" {
		t.Errorf("bluesky %+v", s)
	}
	if d := config.Default().Feeds; d.Interval != 5*time.Minute || len(d.Sources) != 0 {
		t.Errorf("defaults %+v", d)
	}
}
