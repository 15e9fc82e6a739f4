package config_test

import (
	"testing"

	"github.com/opsbot/opsbot/config"
)

// TestRedirectsConfig: the three kinds of redirect edge load from one
// file, each with its own fields.
func TestRedirectsConfig(t *testing.T) {
	c, err := config.Load("testdata/redirects_good.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redirects
	if !r.Configured() || len(r.CloudFront) != 1 || r.Site != "www.example.org" {
		t.Fatalf("redirects %+v", r)
	}
	if f := r.Fastly; len(f) != 1 || f[0] != (config.FastlyRedirects{Name: "fd", ServiceID: "SU1Z0isxPaozGVKXdv0eY", DictionaryID: "5clCytcTJrnvPi7i0sKPXZ", TokenEnv: "FASTLY_API_TOKEN"}) {
		t.Errorf("fastly %+v", f)
	}
	if cf := r.Cloudflare; len(cf) != 1 || cf[0].ListID != "2c0fc9fa937b11eaa1b71c4d701ab86e" || cf[0].TokenEnv != "CLOUDFLARE_REDIRECTS_TOKEN" || cf[0].Endpoint != "http://127.0.0.1:9/client/v4" {
		t.Errorf("cloudflare %+v", cf)
	}
}
