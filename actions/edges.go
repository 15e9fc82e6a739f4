package actions

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/cloudflare"
	"github.com/opsbot/opsbot/edge/fastly"
	"github.com/opsbot/opsbot/edge/waf"
)

var (
	_ Edge = (*waf.Edge)(nil)
	_ Edge = (*fastly.Edge)(nil)
	_ Edge = (*cloudflare.Edge)(nil)
)

// Edges builds the configured edges. Tokens come from the variables the
// config names (getenv; nil: os.Getenv); AWS credentials from the default
// chain. A missing token is an error naming its variable.
func Edges(ctx context.Context, c config.Edges, getenv func(string) string) ([]Edge, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var out []Edge
	client := &http.Client{Timeout: 30 * time.Second}
	for _, w := range c.WAF {
		region := w.Region
		if region == "" {
			region = "us-east-1"
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("edge %s: aws config: %w", w.Name, err)
		}
		out = append(out, waf.New(waf.NewClient(cfg, region, w.Endpoint), waf.Options{
			Name: w.Name, Scope: types.Scope(w.Scope),
			IPv4: waf.Set{Name: w.IPv4.Name, ID: w.IPv4.ID}, IPv6: waf.Set{Name: w.IPv6.Name, ID: w.IPv6.ID},
		}))
	}
	for _, f := range c.Fastly {
		tok := getenv(f.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("edge %s: set %s to a Fastly API token (edges.fastly.token_env)", f.Name, f.TokenEnv)
		}
		out = append(out, fastly.New(fastly.Options{Name: f.Name, ServiceID: f.ServiceID, ACLID: f.ACLID, Token: tok, Endpoint: f.Endpoint, HTTP: client}))
	}
	for _, cf := range c.Cloudflare {
		tok := getenv(cf.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("edge %s: set %s to a Cloudflare API token (edges.cloudflare.token_env)", cf.Name, cf.TokenEnv)
		}
		out = append(out, cloudflare.New(cloudflare.Options{Name: cf.Name, AccountID: cf.AccountID, ListID: cf.ListID, Token: tok, Endpoint: cf.Endpoint, HTTP: client}))
	}
	return out, nil
}
