package infratest

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

type lbState struct {
	Code string `xml:"Code"`
}

type loadBalancer struct {
	LoadBalancerArn       string  `xml:"LoadBalancerArn"`
	DNSName               string  `xml:"DNSName"`
	CanonicalHostedZoneID string  `xml:"CanonicalHostedZoneId"`
	CreatedTime           string  `xml:"CreatedTime"`
	LoadBalancerName      string  `xml:"LoadBalancerName"`
	Scheme                string  `xml:"Scheme"`
	VpcID                 string  `xml:"VpcId"`
	State                 lbState `xml:"State"`
	Type                  string  `xml:"Type"`
	IPAddressType         string  `xml:"IpAddressType"`
}

type redirectConfig struct {
	Protocol   string `xml:"Protocol"`
	Port       string `xml:"Port"`
	Host       string `xml:"Host"`
	Path       string `xml:"Path"`
	Query      string `xml:"Query"`
	StatusCode string `xml:"StatusCode"`
}

type action struct {
	Type           string          `xml:"Type"`
	TargetGroupArn string          `xml:"TargetGroupArn,omitempty"`
	RedirectConfig *redirectConfig `xml:"RedirectConfig,omitempty"`
}

type listener struct {
	ListenerArn     string   `xml:"ListenerArn"`
	LoadBalancerArn string   `xml:"LoadBalancerArn"`
	Port            int32    `xml:"Port"`
	Protocol        string   `xml:"Protocol"`
	DefaultActions  []action `xml:"DefaultActions>member"`
}

type tagDescription struct {
	ResourceArn      string   `xml:"ResourceArn,omitempty"`
	LoadBalancerName string   `xml:"LoadBalancerName,omitempty"`
	Tags             []member `xml:"Tags>member"`
}

// ARN is the ARN the fake gives an ELBv2 load balancer.
func (a *AWS) ARN(region string, lb LoadBalancer) string {
	h := fnv.New64a()
	h.Write([]byte(lb.Name))
	kind := map[string]string{"application": "app", "network": "net", "gateway": "gwy"}[lb.Type]
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%016x", region, a.world.AccountID, kind, lb.Name, h.Sum64())
}

func (a *AWS) elbv2(c Call) (any, *apiErr) {
	p, r := c.Params, a.region(c.Region)
	switch c.Action {
	case "DescribeLoadBalancers":
		from, to, next, err := a.page(len(r.LoadBalancers), p.Get("Marker"), p.Get("PageSize"), 400)
		if err != nil {
			return nil, err
		}
		var lbs []loadBalancer
		for _, lb := range r.LoadBalancers[from:to] {
			lbs = append(lbs, loadBalancer{a.ARN(c.Region, lb), lb.Name + "-1234567890." + c.Region + ".elb.amazonaws.com",
				"Z32O12XQLNTSW2", "2025-06-01T12:00:00.000Z", lb.Name, lb.Scheme, "vpc-0a1b2c3d", lbState{"active"}, lb.Type, "ipv4"})
		}
		return struct {
			LoadBalancers []loadBalancer `xml:"LoadBalancers>member"`
			NextMarker    string         `xml:"NextMarker,omitempty"`
		}{lbs, next}, nil
	case "DescribeListeners":
		return a.describeListeners(c.Region, r, p.Get("LoadBalancerArn"), p.Get("Marker"), p.Get("PageSize"))
	case "DescribeTags":
		return a.describeTagsV2(c.Region, r, c.Params)
	}
	return nil, unknownAction(c)
}

func (a *AWS) describeListeners(region string, r *Region, arn, marker, size string) (any, *apiErr) {
	for _, lb := range r.LoadBalancers {
		if a.ARN(region, lb) != arn {
			continue
		}
		from, to, next, err := a.page(len(lb.Listeners), marker, size, 400)
		if err != nil {
			return nil, err
		}
		var ls []listener
		for i, l := range lb.Listeners[from:to] {
			ls = append(ls, listenerOf(arn, from+i, l))
		}
		return struct {
			Listeners  []listener `xml:"Listeners>member"`
			NextMarker string     `xml:"NextMarker,omitempty"`
		}{ls, next}, nil
	}
	return nil, &apiErr{400, "LoadBalancerNotFound", "One or more load balancers not found"}
}

func listenerOf(lbARN string, i int, l Listener) listener {
	arn := strings.Replace(lbARN, ":loadbalancer/", ":listener/", 1) + "/" + strconv.Itoa(1000+i)
	act := action{Type: "forward", TargetGroupArn: strings.Replace(lbARN, ":loadbalancer/", ":targetgroup/", 1)}
	if l.RedirectHTTPS {
		act = action{Type: "redirect", RedirectConfig: &redirectConfig{"HTTPS", "443", "#{host}", "/#{path}", "#{query}", "HTTP_301"}}
	}
	return listener{arn, lbARN, l.Port, l.Protocol, []action{act}}
}

// members reads a query list parameter: Name.member.1, Name.member.2 …
func members(p map[string][]string, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[fmt.Sprintf("%s.member.%d", name, i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

func (a *AWS) describeTagsV2(region string, r *Region, p map[string][]string) (any, *apiErr) {
	arns := members(p, "ResourceArns")
	if len(arns) == 0 || len(arns) > 20 {
		return nil, invalid("ResourceArns takes 1 to 20 ARNs, got %d", len(arns))
	}
	var ds []tagDescription
	for _, arn := range arns {
		found := false
		for _, lb := range r.LoadBalancers {
			if a.ARN(region, lb) == arn {
				ds, found = append(ds, tagDescription{ResourceArn: arn, Tags: sortedTags(lb.Tags)}), true
			}
		}
		if !found {
			return nil, &apiErr{400, "LoadBalancerNotFound", "Load balancer '" + arn + "' not found"}
		}
	}
	return struct {
		TagDescriptions []tagDescription `xml:"TagDescriptions>member"`
	}{ds}, nil
}
