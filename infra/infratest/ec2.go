package infratest

import (
	"fmt"
	"sort"
)

type ec2Tag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type ipRange struct {
	CidrIP string `xml:"cidrIp"`
}

type ipv6Range struct {
	CidrIPv6 string `xml:"cidrIpv6"`
}

type ipPermission struct {
	IPProtocol string      `xml:"ipProtocol"`
	FromPort   *int32      `xml:"fromPort,omitempty"`
	ToPort     *int32      `xml:"toPort,omitempty"`
	Groups     string      `xml:"groups"`
	IPRanges   []ipRange   `xml:"ipRanges>item"`
	IPv6Ranges []ipv6Range `xml:"ipv6Ranges>item"`
	PrefixList string      `xml:"prefixListIds"`
}

type securityGroup struct {
	OwnerID     string         `xml:"ownerId"`
	GroupID     string         `xml:"groupId"`
	GroupName   string         `xml:"groupName"`
	Description string         `xml:"groupDescription"`
	VpcID       string         `xml:"vpcId"`
	Ingress     []ipPermission `xml:"ipPermissions>item"`
	Egress      []ipPermission `xml:"ipPermissionsEgress>item"`
	Tags        []ec2Tag       `xml:"tagSet>item"`
}

type instanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type instance struct {
	InstanceID   string        `xml:"instanceId"`
	ImageID      string        `xml:"imageId"`
	State        instanceState `xml:"instanceState"`
	InstanceType string        `xml:"instanceType"`
	KeyName      string        `xml:"keyName,omitempty"`
	LaunchTime   string        `xml:"launchTime"`
	Tags         []ec2Tag      `xml:"tagSet>item"`
}

type reservation struct {
	ReservationID string     `xml:"reservationId"`
	OwnerID       string     `xml:"ownerId"`
	Instances     []instance `xml:"instancesSet>item"`
}

var stateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

func (a *AWS) region(name string) *Region {
	if r := a.world.Regions[name]; r != nil {
		return r
	}
	return &Region{}
}

func (a *AWS) ec2(c Call) (any, *apiErr) {
	p := c.Params
	if p.Get("MaxResults") == "" {
		return nil, &apiErr{400, "InvalidParameterValue", "this fake insists on MaxResults (paged listing)"}
	}
	r := a.region(c.Region)
	switch c.Action {
	case "DescribeSecurityGroups":
		from, to, next, err := a.ec2Page(len(r.SecurityGroups), p.Get("NextToken"), p.Get("MaxResults"))
		if err != nil {
			return nil, err
		}
		var gs []securityGroup
		for _, g := range r.SecurityGroups[from:to] {
			gs = append(gs, a.securityGroup(g))
		}
		return struct {
			Groups    []securityGroup `xml:"securityGroupInfo>item"`
			NextToken string          `xml:"nextToken,omitempty"`
		}{gs, next}, nil
	case "DescribeInstances":
		return a.describeInstances(r, p.Get("NextToken"), p.Get("MaxResults"))
	}
	return nil, unknownAction(c)
}

// ec2Page: EC2's MaxResults runs from 5 to 1000.
func (a *AWS) ec2Page(n int, token, size string) (int, int, string, *apiErr) {
	from, to, next, err := a.page(n, token, size, 1000)
	if err != nil {
		return 0, 0, "", &apiErr{400, "InvalidParameterValue", err.msg}
	}
	return from, to, next, nil
}

func (a *AWS) securityGroup(g SecurityGroup) securityGroup {
	out := securityGroup{OwnerID: a.world.AccountID, GroupID: g.ID, GroupName: g.Name,
		Description: g.Name + " group", VpcID: "vpc-0a1b2c3d", Tags: ec2Tags(g.Tags)}
	for _, r := range g.Ingress {
		perm := ipPermission{IPProtocol: r.Protocol}
		if r.Protocol != "-1" {
			from, to := r.From, r.To
			perm.FromPort, perm.ToPort = &from, &to
		}
		for _, c := range r.CIDRs {
			perm.IPRanges = append(perm.IPRanges, ipRange{c})
		}
		for _, c := range r.IPv6 {
			perm.IPv6Ranges = append(perm.IPv6Ranges, ipv6Range{c})
		}
		out.Ingress = append(out.Ingress, perm)
	}
	all := ipPermission{IPProtocol: "-1", IPRanges: []ipRange{{"0.0.0.0/0"}}}
	out.Egress = []ipPermission{all} // egress to anywhere is the default and no finding
	return out
}

func (a *AWS) describeInstances(r *Region, token, size string) (any, *apiErr) {
	from, to, next, err := a.ec2Page(len(r.Instances), token, size)
	if err != nil {
		return nil, err
	}
	var rs []reservation
	for i, in := range r.Instances[from:to] {
		state := in.State
		if state == "" {
			state = "running"
		}
		rs = append(rs, reservation{fmt.Sprintf("r-%017d", from+i), a.world.AccountID, []instance{{
			InstanceID: in.ID, ImageID: "ami-0abcdef1234567890", State: instanceState{stateCodes[state], state},
			InstanceType: in.Type, KeyName: in.KeyName, LaunchTime: in.Launched.UTC().Format("2006-01-02T15:04:05.000Z"),
			Tags: ec2Tags(in.Tags)}}})
	}
	return struct {
		Reservations []reservation `xml:"reservationSet>item"`
		NextToken    string        `xml:"nextToken,omitempty"`
	}{rs, next}, nil
}

func ec2Tags(m map[string]string) []ec2Tag {
	var out []ec2Tag
	for _, t := range sortedTags(m) {
		out = append(out, ec2Tag(t))
	}
	return out
}

func sortedTags(m map[string]string) []member {
	var out []member
	for k, v := range m {
		out = append(out, member{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
