package actions

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/redirect/cloudflare"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
	"github.com/opsbot/opsbot/edge/redirect/fastly"
)

// wireRedirects builds the redirect commands from d (nil, nil when no edge
// holds a map).
func wireRedirects(ctx context.Context, d Deps, s *Skill, roles *access.Roles) (*Redirects, error) {
	c := d.Config
	edges := d.Redirectors
	if edges == nil {
		var err error
		if edges, err = Redirectors(ctx, c.Redirects, d.Getenv); err != nil {
			return nil, err
		}
	}
	if len(edges) == 0 {
		return nil, nil
	}
	return NewRedirects(s, edges, c.Redirects, roles, c.Access.Redirectors), nil
}

// Redirectors builds the configured redirect edges. AWS credentials come
// from the default chain (KeyValueStores are global: us-east-1 signing);
// Fastly and Cloudflare tokens from the variables the config names
// (getenv; nil: os.Getenv). A missing token is an error naming its
// variable.
func Redirectors(ctx context.Context, c config.Redirects, getenv func(string) string) ([]Redirector, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var out []Redirector
	for _, cf := range c.CloudFront {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
		if err != nil {
			return nil, fmt.Errorf("redirects %s: aws config: %w", cf.Name, err)
		}
		out = append(out, cloudfront.New(cloudfront.NewClient(cfg, cf.Endpoint), cloudfront.Options{Name: cf.Name, ARN: cf.ARN}))
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, f := range c.Fastly {
		tok := getenv(f.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("redirects %s: set %s to a Fastly API token (redirects.fastly.token_env)", f.Name, f.TokenEnv)
		}
		out = append(out, fastly.New(fastly.Options{Name: f.Name, ServiceID: f.ServiceID, DictionaryID: f.DictionaryID, Token: tok, Endpoint: f.Endpoint, HTTP: client}))
	}
	for _, cf := range c.Cloudflare {
		tok := getenv(cf.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("redirects %s: set %s to a Cloudflare API token (redirects.cloudflare.token_env)", cf.Name, cf.TokenEnv)
		}
		out = append(out, cloudflare.New(cloudflare.Options{Name: cf.Name, AccountID: cf.AccountID, ListID: cf.ListID, Site: c.Site,
			Token: tok, Endpoint: cf.Endpoint, HTTP: client}))
	}
	return out, nil
}
