package aws

import (
	"context"
	"fmt"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/opsbot/opsbot/infra"
)

const internetFacing = "internet-facing"

// loadBalancersV2 reports internet-facing application, network and
// gateway load balancers that are not expected, and their listeners that
// do not speak TLS (HTTP that does not redirect to HTTPS, TCP, UDP).
func (s *scope) loadBalancersV2(ctx context.Context) []infra.Finding {
	c := elbv2.NewFromConfig(s.cfg)
	lbs, err := publicV2(ctx, c)
	var out []infra.Finding
	if err != nil {
		out = append(out, s.fail(infra.CheckLoadBalancers, "", "list load balancers in "+s.region, err))
	}
	var found []infra.Finding
	for _, lb := range lbs {
		fs, ferr := s.checkV2(ctx, c, lb)
		found = append(found, fs...)
		out = append(out, ferr...)
	}
	if len(found) > 0 {
		out = append(out, s.ownersV2(ctx, c, found)...)
	}
	return append(found, out...)
}

func publicV2(ctx context.Context, c *elbv2.Client) ([]types.LoadBalancer, error) {
	var out []types.LoadBalancer
	p := elbv2.NewDescribeLoadBalancersPaginator(c, &elbv2.DescribeLoadBalancersInput{PageSize: sdkaws.Int32(400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		for _, lb := range page.LoadBalancers {
			if lb.Scheme == types.LoadBalancerSchemeEnumInternetFacing {
				out = append(out, lb)
			}
		}
	}
	return out, nil
}

func (s *scope) checkV2(ctx context.Context, c *elbv2.Client, lb types.LoadBalancer) (found, errs []infra.Finding) {
	arn, name := sdkaws.ToString(lb.LoadBalancerArn), sdkaws.ToString(lb.LoadBalancerName)
	res := fmt.Sprintf("%s (%s)", name, lb.Type)
	if s.q.Has(infra.CheckLoadBalancers) && !s.isExpected(name, arn, sdkaws.ToString(lb.DNSName)) {
		found = append(found, s.finding(infra.CheckLoadBalancers, infra.SeverityMedium, res, arn,
			"internet-facing, not in the expected list"))
	}
	if !s.q.Has(infra.CheckListeners) {
		return found, nil
	}
	p := elbv2.NewDescribeListenersPaginator(c, &elbv2.DescribeListenersInput{LoadBalancerArn: &arn, PageSize: sdkaws.Int32(400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return found, []infra.Finding{s.fail(infra.CheckListeners, res, "list the listeners of load balancer "+name+" in "+s.region, err)}
		}
		for _, l := range page.Listeners {
			if why := plaintextV2(l); why != "" {
				found = append(found, s.finding(infra.CheckListeners, infra.SeverityMedium, res,
					fmt.Sprintf("%s %s/%d", arn, l.Protocol, sdkaws.ToInt32(l.Port)), why))
			}
		}
	}
	return found, nil
}

// plaintextV2 says why listener l carries traffic without TLS, or "".
func plaintextV2(l types.Listener) string {
	port := sdkaws.ToInt32(l.Port)
	switch l.Protocol {
	case types.ProtocolEnumHttp:
		if redirectsToHTTPS(l.DefaultActions) {
			return ""
		}
		return fmt.Sprintf("HTTP :%d, no redirect to HTTPS", port)
	case types.ProtocolEnumTcp, types.ProtocolEnumUdp, types.ProtocolEnumTcpUdp:
		return fmt.Sprintf("%s :%d, no TLS at the load balancer", l.Protocol, port)
	}
	return ""
}

func redirectsToHTTPS(actions []types.Action) bool {
	for _, a := range actions {
		if a.Type == types.ActionTypeEnumRedirect && a.RedirectConfig != nil &&
			strings.EqualFold(sdkaws.ToString(a.RedirectConfig.Protocol), "HTTPS") {
			return true
		}
	}
	return false
}

// ownersV2 fills the owners of found from the load balancers' tags
// (DescribeTags, 20 ARNs a call); failures are reported.
func (s *scope) ownersV2(ctx context.Context, c *elbv2.Client, found []infra.Finding) []infra.Finding {
	arns := uniqueARNs(found)
	owners := map[string]string{}
	for i := 0; i < len(arns); i += 20 {
		batch := arns[i:min(i+20, len(arns))]
		out, err := c.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return []infra.Finding{s.fail(found[0].Check, "", "read load balancer tags in "+s.region, err)}
		}
		for _, d := range out.TagDescriptions {
			tags := map[string]string{}
			for _, t := range d.Tags {
				tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
			}
			owners[sdkaws.ToString(d.ResourceArn)] = s.ownerOf(tags)
		}
	}
	for i := range found {
		found[i].Owner = owners[arnOf(found[i].ID)]
	}
	return nil
}

// arnOf is the load balancer ARN a finding ID starts with.
func arnOf(id string) string {
	arn, _, _ := strings.Cut(id, " ")
	return arn
}

func uniqueARNs(fs []infra.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if a := arnOf(f.ID); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func (s *scope) isExpected(keys ...string) bool {
	for _, k := range keys {
		if k != "" && s.a.expected[strings.ToLower(k)] {
			return true
		}
	}
	return false
}
