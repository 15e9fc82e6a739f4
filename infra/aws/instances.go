package aws

import (
	"context"
	"fmt"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/opsbot/opsbot/infra"
)

// instances lists the instances launched at or after q.Since
// (DescribeInstances, 1000 a page; EC2 has no launch-time range filter).
func (s *scope) instances(ctx context.Context) []infra.Finding {
	c := ec2.NewFromConfig(s.cfg)
	var out []infra.Finding
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, s.fail(infra.CheckInstances, "", "list instances in "+s.region, err))
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				if in.LaunchTime != nil && !in.LaunchTime.Before(s.q.Since) {
					out = append(out, s.launched(in))
				}
			}
		}
	}
	return out
}

func (s *scope) launched(in types.Instance) infra.Finding {
	tags := ec2Tags(in.Tags)
	id := sdkaws.ToString(in.InstanceId)
	state := ""
	if in.State != nil {
		state = string(in.State.Name)
	}
	detail := fmt.Sprintf("%s, %s", in.InstanceType, state)
	if k := sdkaws.ToString(in.KeyName); k != "" {
		detail += ", key " + k
	}
	f := s.finding(infra.CheckInstances, infra.SeverityInfo, withName(id, tags["Name"]), id, detail)
	f.Owner = s.ownerOf(tags)
	f.At = in.LaunchTime.UTC()
	return f
}
