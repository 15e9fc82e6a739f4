package aws

import (
	"context"
	"errors"
	"fmt"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// Inventory is what runs in the configured accounts and regions now, for
// the weekly statistics (schedules/stats): read-only Describe calls.
type Inventory struct {
	Regions []RegionInventory // one per account and region that answered
}

// RegionInventory is one account's region.
type RegionInventory struct {
	Account, Region string
	Running         map[string]int // running instances by instance type
	LoadBalancers   int            // application, network, gateway and classic
}

// Inventory counts the running instances by type and the load balancers
// in every account and region. A region that fails is named in the error
// (errors.Join of each) and left out of the inventory.
func (a *Accounts) Inventory(ctx context.Context) (Inventory, error) {
	var inv Inventory
	var errs []error
	for _, acct := range a.opts.Accounts {
		for _, r := range acct.Regions {
			ri, err := a.regionInventory(ctx, acct, r)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", acct.Name, err))
				continue
			}
			inv.Regions = append(inv.Regions, ri)
		}
	}
	return inv, errors.Join(errs...)
}

func (a *Accounts) regionInventory(ctx context.Context, acct Account, region string) (RegionInventory, error) {
	ri := RegionInventory{Account: acct.Name, Region: region, Running: map[string]int{}}
	cfg, err := a.config(ctx, acct, region)
	if err != nil {
		return ri, fmt.Errorf("load AWS configuration for %s: %w", region, err)
	}
	a.sem <- struct{}{}
	defer func() { <-a.sem }()
	p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeInstancesInput{MaxResults: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return ri, fmt.Errorf("list instances in %s: %s", region, describe(err))
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				if in.State != nil && in.State.Name == ec2types.InstanceStateNameRunning {
					ri.Running[string(in.InstanceType)]++
				}
			}
		}
	}
	ri.LoadBalancers, err = countLoadBalancers(ctx, cfg, region)
	return ri, err
}

func countLoadBalancers(ctx context.Context, cfg sdkaws.Config, region string) (int, error) {
	n := 0
	p := elasticloadbalancingv2.NewDescribeLoadBalancersPaginator(elasticloadbalancingv2.NewFromConfig(cfg),
		&elasticloadbalancingv2.DescribeLoadBalancersInput{PageSize: sdkaws.Int32(400)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("list load balancers in %s: %s", region, describe(err))
		}
		n += len(page.LoadBalancers)
	}
	c := elasticloadbalancing.NewDescribeLoadBalancersPaginator(elasticloadbalancing.NewFromConfig(cfg),
		&elasticloadbalancing.DescribeLoadBalancersInput{PageSize: sdkaws.Int32(400)})
	for c.HasMorePages() {
		page, err := c.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("list classic load balancers in %s: %s", region, describe(err))
		}
		n += len(page.LoadBalancerDescriptions)
	}
	return n, nil
}
