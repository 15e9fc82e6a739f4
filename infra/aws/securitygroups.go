package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/opsbot/opsbot/infra"
)

// worldCIDRs are the sources that mean "anyone on the internet".
var worldCIDRs = map[string]bool{"0.0.0.0/0": true, "::/0": true}

// sensitivePorts make an open rule high severity.
var sensitivePorts = map[int32]string{
	21: "ftp", 22: "ssh", 23: "telnet", 445: "smb", 1433: "mssql", 2375: "docker",
	3306: "mysql", 3389: "rdp", 5432: "postgres", 5900: "vnc", 6379: "redis",
	9200: "elasticsearch", 11211: "memcached", 27017: "mongodb",
}

// sortedSensitive are the sensitive ports in order.
var sortedSensitive = func() []int32 {
	ps := make([]int32, 0, len(sensitivePorts))
	for p := range sensitivePorts {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}()

// securityGroups reports ingress rules open to 0.0.0.0/0 or ::/0 on ports
// other than the public ones (DescribeSecurityGroups, 1000 a page).
func (s *scope) securityGroups(ctx context.Context) []infra.Finding {
	c := ec2.NewFromConfig(s.cfg)
	var out []infra.Finding
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, s.fail(infra.CheckSecurityGroups, "", "list security groups in "+s.region, err))
		}
		for _, g := range page.SecurityGroups {
			out = append(out, s.openRules(g)...)
		}
	}
	return out
}

func (s *scope) openRules(g types.SecurityGroup) []infra.Finding {
	var out []infra.Finding
	id := sdkaws.ToString(g.GroupId)
	owner := s.ownerOf(ec2Tags(g.Tags))
	for _, p := range g.IpPermissions {
		from := worldSources(p)
		if len(from) == 0 {
			continue
		}
		label, sev, open := s.exposure(p)
		if !open {
			continue
		}
		f := s.finding(infra.CheckSecurityGroups, sev, withName(id, sdkaws.ToString(g.GroupName)),
			id+" "+label, fmt.Sprintf("%s open to %s", label, strings.Join(from, " and ")))
		f.Owner = owner
		out = append(out, f)
	}
	return out
}

func worldSources(p types.IpPermission) []string {
	var out []string
	for _, r := range p.IpRanges {
		if c := sdkaws.ToString(r.CidrIp); worldCIDRs[c] {
			out = append(out, c)
		}
	}
	for _, r := range p.Ipv6Ranges {
		if c := sdkaws.ToString(r.CidrIpv6); worldCIDRs[c] {
			out = append(out, c)
		}
	}
	return out
}

// exposure says what rule p opens ("tcp/22 (ssh)", "all traffic"), how bad
// that is, and whether it opens anything beyond the public ports. ICMP has
// no ports and is not reported.
func (s *scope) exposure(p types.IpPermission) (string, infra.Severity, bool) {
	proto := strings.ToLower(sdkaws.ToString(p.IpProtocol))
	switch proto {
	case "-1", "all":
		return "all traffic", infra.SeverityHigh, true
	case "icmp", "1", "icmpv6", "58":
		return "", "", false
	case "tcp", "6", "udp", "17":
		return s.portExposure(protoName(proto), sdkaws.ToInt32(p.FromPort), sdkaws.ToInt32(p.ToPort))
	}
	return "ip protocol " + proto, infra.SeverityMedium, true
}

func protoName(p string) string {
	switch p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	}
	return p
}

func (s *scope) portExposure(proto string, from, to int32) (string, infra.Severity, bool) {
	if from < 0 || to < from {
		from, to = 0, 65535
	}
	public := 0
	for p := range s.a.public {
		if p >= from && p <= to {
			public++
		}
	}
	if int(to-from)+1 == public {
		return "", "", false // only public ports
	}
	var sensitive []string
	for _, p := range sortedSensitive {
		if p >= from && p <= to && !s.a.public[p] {
			sensitive = append(sensitive, sensitivePorts[p])
		}
	}
	label := fmt.Sprintf("%s/%d", proto, from)
	if to != from {
		label = fmt.Sprintf("%s/%d-%d", proto, from, to)
	}
	if len(sensitive) == 0 {
		return label, infra.SeverityMedium, true
	}
	if len(sensitive) > 3 {
		sensitive = append(sensitive[:3], "…")
	}
	return label + " (" + strings.Join(sensitive, ", ") + ")", infra.SeverityHigh, true
}

func ec2Tags(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}
