package aws

import (
	"context"
	"fmt"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/opsbot/opsbot/infra"
)

// classicLoadBalancers reports internet-facing classic load balancers that
// are not expected, and their HTTP and TCP listeners (classic load
// balancers cannot redirect to HTTPS).
func (s *scope) classicLoadBalancers(ctx context.Context) []infra.Finding {
	c := elb.NewFromConfig(s.cfg)
	var found, errs []infra.Finding
	p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{PageSize: sdkaws.Int32(400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			errs = append(errs, s.fail(infra.CheckLoadBalancers, "", "list classic load balancers in "+s.region, err))
			break
		}
		for _, lb := range page.LoadBalancerDescriptions {
			if sdkaws.ToString(lb.Scheme) == internetFacing {
				found = append(found, s.checkClassic(lb)...)
			}
		}
	}
	if len(found) > 0 {
		errs = append(errs, s.ownersClassic(ctx, c, found)...)
	}
	return append(found, errs...)
}

func (s *scope) checkClassic(lb types.LoadBalancerDescription) []infra.Finding {
	var out []infra.Finding
	name := sdkaws.ToString(lb.LoadBalancerName)
	res, id := name+" (classic)", "classic/"+name
	if s.q.Has(infra.CheckLoadBalancers) && !s.isExpected(name, sdkaws.ToString(lb.DNSName)) {
		out = append(out, s.finding(infra.CheckLoadBalancers, infra.SeverityMedium, res, id,
			"internet-facing, not in the expected list"))
	}
	if !s.q.Has(infra.CheckListeners) {
		return out
	}
	for _, d := range lb.ListenerDescriptions {
		l := d.Listener
		if l == nil {
			continue
		}
		proto := strings.ToUpper(sdkaws.ToString(l.Protocol))
		if proto == "HTTP" || proto == "TCP" {
			out = append(out, s.finding(infra.CheckListeners, infra.SeverityMedium, res,
				fmt.Sprintf("%s %s/%d", id, proto, l.LoadBalancerPort),
				fmt.Sprintf("%s :%d, no TLS at the load balancer", proto, l.LoadBalancerPort)))
		}
	}
	return out
}

// ownersClassic fills owners from the load balancers' tags (DescribeTags,
// 20 names a call).
func (s *scope) ownersClassic(ctx context.Context, c *elb.Client, found []infra.Finding) []infra.Finding {
	names := uniqueARNs(found) // "classic/NAME"
	owners := map[string]string{}
	for i := 0; i < len(names); i += 20 {
		batch := make([]string, 0, 20)
		for _, n := range names[i:min(i+20, len(names))] {
			batch = append(batch, strings.TrimPrefix(n, "classic/"))
		}
		out, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: batch})
		if err != nil {
			return []infra.Finding{s.fail(found[0].Check, "", "read classic load balancer tags in "+s.region, err)}
		}
		for _, d := range out.TagDescriptions {
			tags := map[string]string{}
			for _, t := range d.Tags {
				tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
			}
			owners["classic/"+sdkaws.ToString(d.LoadBalancerName)] = s.ownerOf(tags)
		}
	}
	for i := range found {
		found[i].Owner = owners[arnOf(found[i].ID)]
	}
	return nil
}
