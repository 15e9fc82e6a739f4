package infratest

type classicListener struct {
	Protocol         string `xml:"Protocol"`
	LoadBalancerPort int32  `xml:"LoadBalancerPort"`
	InstanceProtocol string `xml:"InstanceProtocol"`
	InstancePort     int32  `xml:"InstancePort"`
	SSLCertificateID string `xml:"SSLCertificateId,omitempty"`
}

type listenerDescription struct {
	PolicyNames string          `xml:"PolicyNames"`
	Listener    classicListener `xml:"Listener"`
}

type classicLB struct {
	SecurityGroups       string                `xml:"SecurityGroups"`
	LoadBalancerName     string                `xml:"LoadBalancerName"`
	CreatedTime          string                `xml:"CreatedTime"`
	ListenerDescriptions []listenerDescription `xml:"ListenerDescriptions>member"`
	DNSName              string                `xml:"DNSName"`
	Scheme               string                `xml:"Scheme"`
	VPCID                string                `xml:"VPCId"`
}

func (a *AWS) classic(c Call) (any, *apiErr) {
	p, r := c.Params, a.region(c.Region)
	switch c.Action {
	case "DescribeLoadBalancers":
		from, to, next, err := a.page(len(r.Classic), p.Get("Marker"), p.Get("PageSize"), 400)
		if err != nil {
			return nil, err
		}
		var lbs []classicLB
		for _, lb := range r.Classic[from:to] {
			lbs = append(lbs, classicOf(c.Region, lb))
		}
		return struct {
			LoadBalancerDescriptions []classicLB `xml:"LoadBalancerDescriptions>member"`
			NextMarker               string      `xml:"NextMarker,omitempty"`
		}{lbs, next}, nil
	case "DescribeTags":
		return a.describeTagsClassic(r, c.Params)
	}
	return nil, unknownAction(c)
}

func classicOf(region string, lb ClassicLoadBalancer) classicLB {
	out := classicLB{LoadBalancerName: lb.Name, CreatedTime: "2019-04-01T09:00:00.000Z",
		DNSName: lb.Name + "-1234567890." + region + ".elb.amazonaws.com", Scheme: lb.Scheme, VPCID: "vpc-0a1b2c3d"}
	if lb.Scheme == "internal" {
		out.DNSName = "internal-" + out.DNSName
	}
	for _, l := range lb.Listeners {
		cl := classicListener{Protocol: l.Protocol, LoadBalancerPort: l.Port, InstanceProtocol: "HTTP", InstancePort: 8080}
		if l.Protocol == "HTTPS" || l.Protocol == "SSL" {
			cl.SSLCertificateID = "arn:aws:acm:" + region + ":123456789012:certificate/12345678-1234-1234-1234-123456789012"
		}
		out.ListenerDescriptions = append(out.ListenerDescriptions, listenerDescription{Listener: cl})
	}
	return out
}

func (a *AWS) describeTagsClassic(r *Region, p map[string][]string) (any, *apiErr) {
	names := members(p, "LoadBalancerNames")
	if len(names) == 0 || len(names) > 20 {
		return nil, invalid("LoadBalancerNames takes 1 to 20 names, got %d", len(names))
	}
	var ds []tagDescription
	for _, n := range names {
		found := false
		for _, lb := range r.Classic {
			if lb.Name == n {
				ds, found = append(ds, tagDescription{LoadBalancerName: n, Tags: sortedTags(lb.Tags)}), true
			}
		}
		if !found {
			return nil, &apiErr{400, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named '" + n + "'"}
		}
	}
	return struct {
		TagDescriptions []tagDescription `xml:"TagDescriptions>member"`
	}{ds}, nil
}
