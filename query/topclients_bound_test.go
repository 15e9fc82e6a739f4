package query

import "testing"

// TestBound: per hour the least of the summaries' ceiling (cut-offs plus
// the client's excess) and the rows the counted clients did not send, plus
// the rows that arrived after the summary was read; an hour with neither
// ceiling leaves no bound.
func TestBound(t *testing.T) {
	hours := []hourSum{
		{unix: 0, cutoff: 5, covered: true, excess: map[string]uint64{"a": 10}},
		{unix: 3600, cutoff: 50, covered: true, whole: true, matching: 100},
		{unix: 7200, matching: 40, whole: true, arrived: 2},
		{unix: 10800, covered: true, arrived: 7}, // an hour that had no rows when the summary was read
	}
	byHour := map[int64]uint64{3600: 90, 7200: 30}
	for _, c := range []struct {
		name     string
		residual bool
		dropped  []string
		want     uint64
		ok       bool
	}{
		{"unlisted", true, nil, 5 + 10 + 12 + 7, true},
		{"a dropped client's own ceiling", true, []string{"a"}, 15 + 10 + 12 + 7, true},
		{"no hourly counts (an IP range)", false, nil, 0, false},
	} {
		got, ok := bound(hours, byHour, c.residual, c.dropped)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: bound %d %v, want %d %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
