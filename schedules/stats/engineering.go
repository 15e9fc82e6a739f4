package stats

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/opsbot/opsbot/internal/text"
)

// activity reads the GitHub organizations' members, repositories, pull
// requests and issues in w.
func (s *Stats) activity(ctx context.Context, w Window) ([]Figure, []string, error) {
	a, err := s.o.Activity.Activity(ctx, w.Since, w.Until)
	if err != nil {
		return nil, nil, err
	}
	fs := []Figure{
		{Metric: Members, Value: float64(a.Members)}, {Metric: ActiveRepos, Value: float64(a.ActiveRepos)},
		{Metric: PRsOpened, Value: float64(a.PRsOpened)}, {Metric: PRsMerged, Value: float64(a.PRsMerged)},
		{Metric: PRsClosed, Value: float64(a.PRsClosed)},
	}
	var notes []string
	if len(a.MergeTimes) > 0 {
		med, p90 := MergeQuantiles(a.MergeTimes)
		fs = append(fs, Figure{Metric: MergeMedian, Value: med.Seconds()}, Figure{Metric: MergeP90, Value: p90.Seconds()})
		if len(a.MergeTimes) < a.MergeTimesCount {
			notes = append(notes, fmt.Sprintf("times to merge: the first %d of %d merged pull requests (GitHub's search stops at 1,000)",
				len(a.MergeTimes), a.MergeTimesCount))
		}
	}
	fs = append(fs, Figure{Metric: IssuesOpened, Value: float64(a.IssuesOpened)}, Figure{Metric: IssuesClosed, Value: float64(a.IssuesClosed)})
	for _, pr := range a.OldestOpen {
		name := fmt.Sprintf("%s#%d %s", pr.Repo, pr.Number, text.Cut(text.Visible(pr.Title), 40))
		fs = append(fs, Figure{Metric: OldestOpen, Dimension: name, Value: w.Until.Sub(pr.Created).Seconds()})
	}
	return fs, notes, nil
}

// MergeQuantiles are the median (the mean of the middle two of an even
// count) and the 90th percentile (nearest rank) of ds.
func MergeQuantiles(ds []time.Duration) (median, p90 time.Duration) {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	rank := (9*n + 9) / 10 // ceil(0.9 n)
	return median, s[rank-1]
}
