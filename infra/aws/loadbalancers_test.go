package aws

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

func lbWorld() infratest.World {
	return infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {
		LoadBalancers: []infratest.LoadBalancer{
			{Name: "shop", Type: "application", Scheme: "internet-facing", Tags: map[string]string{"Owner": "web-team"},
				Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80, RedirectHTTPS: true}}},
			{Name: "new-api", Type: "application", Scheme: "internet-facing", Tags: map[string]string{"Team": "api"},
				Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 8080}}},
			{Name: "sftp", Type: "network", Scheme: "internet-facing",
				Listeners: []infratest.Listener{{Protocol: "TCP", Port: 22}, {Protocol: "TLS", Port: 443}}},
			{Name: "internal-api", Type: "application", Scheme: "internal",
				Listeners: []infratest.Listener{{Protocol: "HTTP", Port: 80}}},
		},
		Classic: []infratest.ClassicLoadBalancer{
			{Name: "legacy", Scheme: "internet-facing", Tags: map[string]string{"Owner": "ops"},
				Listeners: []infratest.Listener{{Protocol: "HTTP", Port: 80}, {Protocol: "HTTPS", Port: 443}}},
			{Name: "known-classic", Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "SSL", Port: 443}}},
			{Name: "backoffice", Scheme: "internal", Listeners: []infratest.Listener{{Protocol: "TCP", Port: 5432}}},
		},
	}}}
}

func TestLoadBalancersUnexpectedAndWithoutTLS(t *testing.T) {
	srv := infratest.NewAWS(lbWorld())
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1"}, func(o *Options) {
		o.ExpectedLoadBalancers = []string{"shop", "KNOWN-CLASSIC-1234567890.eu-west-1.elb.amazonaws.com"}
	})
	found, errs := audit(t, s, infra.CheckLoadBalancers, infra.CheckListeners)
	noErrors(t, errs)
	expect(t, found,
		"public-load-balancer|medium|eu-west-1|new-api (application)|api|internet-facing, not in the expected list",
		"listener-without-tls|medium|eu-west-1|new-api (application)|api|HTTP :8080, no redirect to HTTPS",
		"public-load-balancer|medium|eu-west-1|sftp (network)||internet-facing, not in the expected list",
		"listener-without-tls|medium|eu-west-1|sftp (network)||TCP :22, no TLS at the load balancer",
		"public-load-balancer|medium|eu-west-1|legacy (classic)|ops|internet-facing, not in the expected list",
		"listener-without-tls|medium|eu-west-1|legacy (classic)|ops|HTTP :80, no TLS at the load balancer")
	// Listeners of internal load balancers are nobody's business here.
	for _, c := range srv.CallsTo("elbv2", "DescribeListeners") {
		if strings.Contains(c.Params.Get("LoadBalancerArn"), "/internal-api/") {
			t.Errorf("listeners of an internal load balancer were read")
		}
	}
	if n := len(srv.CallsTo("elbv2", "DescribeListeners")); n != 3 {
		t.Errorf("%d DescribeListeners calls, want one per internet-facing ALB/NLB", n)
	}
}

func TestLoadBalancersCleanAccount(t *testing.T) {
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {
		LoadBalancers: []infratest.LoadBalancer{{Name: "shop", Type: "application", Scheme: "internet-facing",
			Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80, RedirectHTTPS: true}}}},
		Classic: []infratest.ClassicLoadBalancer{{Name: "old", Scheme: "internal", Listeners: []infratest.Listener{{Protocol: "HTTP", Port: 80}}}},
	}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.ExpectedLoadBalancers = []string{"shop"} }),
		infra.CheckLoadBalancers, infra.CheckListeners)
	noErrors(t, errs)
	expect(t, found)
	if n := len(srv.CallsTo("elbv2", "DescribeTags")) + len(srv.CallsTo("elb", "DescribeTags")); n != 0 {
		t.Errorf("%d tag reads without a finding", n)
	}
}

func TestLoadBalancersPaging(t *testing.T) {
	// 25 unexpected ALBs in pages of 4, one with 5 listeners in pages of 4;
	// their tags take two DescribeTags calls (20 ARNs at most).
	var lbs []infratest.LoadBalancer
	var classic []infratest.ClassicLoadBalancer
	var want []string
	for i := range 25 {
		name := fmt.Sprintf("lb-%02d", i)
		lb := infratest.LoadBalancer{Name: name, Type: "application", Scheme: "internet-facing",
			Tags: map[string]string{"Owner": "o" + fmt.Sprint(i)}, Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}}}
		if i == 24 {
			for p := range 5 {
				lb.Listeners = append(lb.Listeners, infratest.Listener{Protocol: "HTTP", Port: int32(8000 + p)})
				want = append(want, fmt.Sprintf("listener-without-tls|medium|eu-west-1|%s (application)|o24|HTTP :%d, no redirect to HTTPS", name, 8000+p))
			}
		}
		lbs = append(lbs, lb)
		want = append(want, fmt.Sprintf("public-load-balancer|medium|eu-west-1|%s (application)|o%d|internet-facing, not in the expected list", name, i))
	}
	for i := range 6 {
		name := fmt.Sprintf("classic-%d", i)
		classic = append(classic, infratest.ClassicLoadBalancer{Name: name, Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}}})
		want = append(want, "public-load-balancer|medium|eu-west-1|"+name+" (classic)||internet-facing, not in the expected list")
	}
	srv := infratest.NewAWS(infratest.World{PageSize: 4, Regions: map[string]*infratest.Region{"eu-west-1": {LoadBalancers: lbs, Classic: classic}}})
	defer srv.Close()
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}), infra.CheckLoadBalancers, infra.CheckListeners)
	noErrors(t, errs)
	expect(t, found, want...)
	if got := params(srv.CallsTo("elbv2", "DescribeLoadBalancers"), "Marker"); strings.Join(got, ",") != ",4,8,12,16,20,24" {
		t.Errorf("ELBv2 markers %q", got)
	}
	if got := params(srv.CallsTo("elb", "DescribeLoadBalancers"), "Marker"); strings.Join(got, ",") != ",4" {
		t.Errorf("classic markers %q", got)
	}
	tags := srv.CallsTo("elbv2", "DescribeTags")
	if len(tags) != 2 || tags[0].Params.Get("ResourceArns.member.20") == "" || tags[1].Params.Get("ResourceArns.member.6") != "" {
		t.Errorf("DescribeTags batches: %d calls", len(tags))
	}
}

func TestLoadBalancersErrorsAreReported(t *testing.T) {
	srv := infratest.NewAWS(lbWorld())
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "elbv2", Action: "DescribeLoadBalancers", Status: 403, Times: -1, Code: "AccessDenied",
		Message: "User: arn:aws:sts::123456789012:assumed-role/audit/opsbot is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers"})
	srv.Fail(infratest.Fault{Service: "elb", Action: "DescribeTags", Status: 403, Times: -1, Code: "AccessDenied", Message: "no tags for you"})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.ExpectedLoadBalancers = []string{"known-classic"} }),
		infra.CheckLoadBalancers, infra.CheckListeners)
	expect(t, errs,
		"public-load-balancer|error|eu-west-1|||could not list load balancers in eu-west-1: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/audit/opsbot is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers",
		"public-load-balancer|error|eu-west-1|||could not read classic load balancer tags in eu-west-1: AccessDenied: no tags for you")
	expect(t, found, // the classic ones are still reported, without owners
		"public-load-balancer|medium|eu-west-1|legacy (classic)||internet-facing, not in the expected list",
		"listener-without-tls|medium|eu-west-1|legacy (classic)||HTTP :80, no TLS at the load balancer")
}

func TestLoadBalancersThrottlingIsRetried(t *testing.T) {
	srv := infratest.NewAWS(lbWorld())
	defer srv.Close()
	srv.Fail(infratest.Fault{Service: "elbv2", Action: "DescribeListeners", Code: "Throttling", Message: "Rate exceeded", Times: 3})
	srv.Fail(infratest.Fault{Service: "elb", Action: "DescribeLoadBalancers", Code: "Throttling", Message: "Rate exceeded", Times: 1})
	found, errs := audit(t, newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.Parallel = 1 }), infra.CheckListeners)
	noErrors(t, errs)
	expect(t, found,
		"listener-without-tls|medium|eu-west-1|new-api (application)|api|HTTP :8080, no redirect to HTTPS",
		"listener-without-tls|medium|eu-west-1|sftp (network)||TCP :22, no TLS at the load balancer",
		"listener-without-tls|medium|eu-west-1|legacy (classic)|ops|HTTP :80, no TLS at the load balancer")
	if n := len(srv.CallsTo("elbv2", "DescribeListeners")); n != 6 {
		t.Errorf("%d DescribeListeners attempts, want 3 listings + 3 throttled", n)
	}
}
