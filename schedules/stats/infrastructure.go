package stats

import (
	"context"
	"sort"
)

// inventory counts the running instances (by type and by account and
// region) and the load balancers, as they are when collected. Only the
// regions that answered are counted, and then no total: a partial total
// would read as a drop.
func (s *Stats) inventory(ctx context.Context, _ Window) ([]Figure, []string, error) {
	inv, err := s.o.Inventory.Inventory(ctx)
	byType := map[string]int{}
	var fs []Figure
	total, lbs := 0, 0
	for _, r := range inv.Regions {
		n := 0
		for t, c := range r.Running {
			byType[t] += c
			n += c
		}
		total, lbs = total+n, lbs+r.LoadBalancers
		where := r.Account + "/" + r.Region
		fs = append(fs, Figure{Metric: InstancesRegion, Dimension: where, Value: float64(n)},
			Figure{Metric: LoadBalancersReg, Dimension: where, Value: float64(r.LoadBalancers)})
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		return byType[types[i]] > byType[types[j]] || byType[types[i]] == byType[types[j]] && types[i] < types[j]
	})
	for _, t := range types {
		fs = append(fs, Figure{Metric: InstancesType, Dimension: t, Value: float64(byType[t])})
	}
	if err != nil {
		return fs, nil, err
	}
	notes := []string{"instances and load balancers: as they run at collection time"}
	return append([]Figure{{Metric: Instances, Value: float64(total)}, {Metric: LoadBalancers, Value: float64(lbs)}}, fs...), notes, nil
}
