package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/shopspring/decimal"
)

// CostRegion is where Cost Explorer answers: its endpoint is global,
// ce.us-east-1.amazonaws.com.
const CostRegion = "us-east-1"

// CostMetric is the cost read: what the bill shows, before credits and
// discounts are spread (UnblendedCost).
const CostMetric = "UnblendedCost"

// Costs is what the configured accounts cost over some days, from Cost
// Explorer (GetCostAndUsage, billed $0.01 per request).
type Costs struct {
	Currency  string             // "USD"
	Services  map[string]float64 // cost by service, summed over days and accounts
	Accounts  []string           // the linked account IDs counted
	Estimated bool               // some days are not final yet
}

// Costs reads the cost by service of the days [start, end) (their dates
// as given; Cost Explorer's days are UTC days) through each configured
// account, with its role when it has one, in us-east-1. Each account is
// grouped by service and linked account, and a linked account is counted
// once: an AWS Organizations management account answers for its members
// too, so listing it beside them counts nothing twice. An account that
// fails fails the whole read (errors.Join of each): a partial total
// would read as a drop.
func (a *Accounts) Costs(ctx context.Context, start, end time.Time) (Costs, error) {
	c := Costs{Services: map[string]float64{}}
	sums := map[string]decimal.Decimal{}
	seen := map[string]string{} // linked account → the configured account that answered for it
	var errs []error
	for _, acct := range a.opts.Accounts {
		byAcct, cur, est, err := a.accountCosts(ctx, acct, start, end)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", acct.Name, err))
			continue
		}
		if cur != "" && c.Currency != "" && cur != c.Currency {
			errs = append(errs, fmt.Errorf("%s: costs in %s, others in %s", acct.Name, cur, c.Currency))
			continue
		}
		if cur != "" {
			c.Currency = cur
		}
		for _, linked := range slices.Sorted(maps.Keys(byAcct)) {
			if _, ok := seen[linked]; ok {
				continue
			}
			seen[linked] = acct.Name
			c.Accounts = append(c.Accounts, linked)
			for svc, v := range byAcct[linked] {
				sums[svc] = sums[svc].Add(v)
			}
		}
		c.Estimated = c.Estimated || est
	}
	if err := errors.Join(errs...); err != nil {
		return Costs{}, err
	}
	for svc, v := range sums {
		c.Services[svc] = v.InexactFloat64()
	}
	return c, nil
}

// accountCosts is one account's answer: linked account → service → cost.
func (a *Accounts) accountCosts(ctx context.Context, acct Account, start, end time.Time) (
	map[string]map[string]decimal.Decimal, string, bool, error) {
	cfg, err := a.config(ctx, acct, CostRegion)
	if err != nil {
		return nil, "", false, fmt.Errorf("load AWS configuration for %s: %w", CostRegion, err)
	}
	a.sem <- struct{}{}
	defer func() { <-a.sem }()
	client := costexplorer.NewFromConfig(cfg)
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: sdkaws.String(start.Format(time.DateOnly)), End: sdkaws.String(end.Format(time.DateOnly))},
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{CostMetric},
		GroupBy: []cetypes.GroupDefinition{
			{Type: cetypes.GroupDefinitionTypeDimension, Key: sdkaws.String("SERVICE")},
			{Type: cetypes.GroupDefinitionTypeDimension, Key: sdkaws.String("LINKED_ACCOUNT")},
		},
	}
	out := map[string]map[string]decimal.Decimal{}
	currency, estimated := "", false
	for {
		page, err := client.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, "", false, fmt.Errorf("read costs (GetCostAndUsage): %s", describe(err))
		}
		for _, r := range page.ResultsByTime {
			estimated = estimated || r.Estimated
			for _, g := range r.Groups {
				if len(g.Keys) != 2 {
					return nil, "", false, fmt.Errorf("GetCostAndUsage answered a group with keys %q, not service and account", g.Keys)
				}
				m, ok := g.Metrics[CostMetric]
				if !ok || m.Amount == nil {
					return nil, "", false, fmt.Errorf("GetCostAndUsage answered no %s for %s", CostMetric, g.Keys[0])
				}
				v, err := decimal.NewFromString(*m.Amount)
				if err != nil {
					return nil, "", false, fmt.Errorf("GetCostAndUsage answered amount %q for %s: %w", *m.Amount, g.Keys[0], err)
				}
				unit := sdkaws.ToString(m.Unit)
				if currency == "" {
					currency = unit
				} else if unit != currency {
					return nil, "", false, fmt.Errorf("GetCostAndUsage answered costs in %s and %s", currency, unit)
				}
				svc, linked := g.Keys[0], g.Keys[1]
				if out[linked] == nil {
					out[linked] = map[string]decimal.Decimal{}
				}
				out[linked][svc] = out[linked][svc].Add(v)
			}
		}
		if sdkaws.ToString(page.NextPageToken) == "" {
			return out, currency, estimated, nil
		}
		in.NextPageToken = page.NextPageToken
	}
}
