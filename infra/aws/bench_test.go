package aws

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

// BenchmarkSecurityGroups audits 5,000 security groups (5 pages of 1,000)
// over the loopback EC2 query API: SDK, XML decoding and the rule checks.
func BenchmarkSecurityGroups(b *testing.B) {
	var gs []infratest.SecurityGroup
	for i := range 5000 {
		gs = append(gs, infratest.SecurityGroup{ID: fmt.Sprintf("sg-%06d", i), Name: "g", Ingress: []infratest.Rule{
			{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0"}},
			{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}, IPv6: []string{"::/0"}},
		}})
	}
	srv := infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {SecurityGroups: gs}}})
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1"})
	q := infra.Query{Checks: []infra.Check{infra.CheckSecurityGroups}, Now: now}
	b.ResetTimer()
	for b.Loop() {
		if n := len(s.Audit(context.Background(), q)); n != 5000 {
			b.Fatalf("%d findings", n)
		}
	}
	b.ReportMetric(float64(b.N*5000)/b.Elapsed().Seconds(), "groups/s")
}

// BenchmarkIAMUsers audits 200 users with a password, an MFA device and
// two keys: 1 ListUsers page and 3 calls a user, over a loopback IAM that
// answers after 5ms (a real round trip is 10-50ms), one user at a time
// and 4 at a time.
func BenchmarkIAMUsers(b *testing.B) {
	for _, par := range []int{1, 4} {
		b.Run(fmt.Sprintf("parallel=%d", par), func(b *testing.B) { benchIAM(b, par) })
	}
}

func benchIAM(b *testing.B, parallel int) {
	var us []infratest.User
	for i := range 200 {
		us = append(us, infratest.User{Name: fmt.Sprintf("u%03d", i), Password: &now, MFA: []string{"arn:mfa"},
			Keys: []infratest.AccessKey{{ID: "AKIA1", Created: now}, {ID: "AKIA2", Created: now}}})
	}
	srv := infratest.NewAWS(infratest.World{Users: us, Latency: 5 * time.Millisecond})
	defer srv.Close()
	s := newSource(srv, []string{"eu-west-1"}, func(o *Options) { o.Parallel = parallel })
	q := infra.Query{Checks: []infra.Check{infra.CheckMFA, infra.CheckAccessKeys}, Now: now}
	b.ResetTimer()
	for b.Loop() {
		if n := len(s.Audit(context.Background(), q)); n != 0 {
			b.Fatalf("%d findings", n)
		}
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds(), "users/s")
}
