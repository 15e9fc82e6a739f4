package actions

import (
	"context"
	"fmt"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/redirect/cloudfront"
)

// wireRedirects builds the redirect commands from d (nil, nil when no edge
// holds a map).
func wireRedirects(ctx context.Context, d Deps, s *Skill, roles *access.Roles) (*Redirects, error) {
	c := d.Config
	edges := d.Redirectors
	if edges == nil {
		var err error
		if edges, err = Redirectors(ctx, c.Redirects); err != nil {
			return nil, err
		}
	}
	if len(edges) == 0 {
		return nil, nil
	}
	return NewRedirects(s, edges, c.Redirects, roles, c.Access.Redirectors), nil
}

// Redirectors builds the configured redirect edges. AWS credentials come
// from the default chain; KeyValueStores are global (us-east-1 signing).
func Redirectors(ctx context.Context, c config.Redirects) ([]Redirector, error) {
	var out []Redirector
	for _, cf := range c.CloudFront {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
		if err != nil {
			return nil, fmt.Errorf("redirects %s: aws config: %w", cf.Name, err)
		}
		out = append(out, cloudfront.New(cloudfront.NewClient(cfg, cf.Endpoint), cloudfront.Options{Name: cf.Name, ARN: cf.ARN}))
	}
	return out, nil
}
