package infra

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Options configure an Auditor.
type Options struct {
	// InstancesWindow: the daily report lists instances launched within it
	// (default 24h).
	InstancesWindow time.Duration
	// Clock is the time for chat commands when a request carries none
	// (default opsbot.SystemClock).
	Clock opsbot.Clock
}

// Auditor runs the sources' checks, keeps the daily runs' findings in the
// warehouse and answers for them in chat.
type Auditor struct {
	sources []Source
	store   *Store
	opts    Options
}

// New returns an Auditor over sources, recording to w (nil: nothing is
// recorded and the daily report has no "since yesterday").
func New(sources []Source, w warehouse.Warehouse, opts Options) *Auditor {
	if opts.InstancesWindow <= 0 {
		opts.InstancesWindow = 24 * time.Hour
	}
	if opts.Clock == nil {
		opts.Clock = opsbot.SystemClock{}
	}
	a := &Auditor{sources: sources, opts: opts}
	if w != nil {
		a.store = NewStore(w)
	}
	return a
}

// Configured says whether there is anything to audit (an AWS account or
// a GitHub organization in config).
func (a *Auditor) Configured() bool { return len(a.sources) > 0 }

// unconfigured is the answer when nothing is configured.
var unconfigured = opsbot.Reply{Title: "Infrastructure audits are not configured",
	Text: "No AWS account or GitHub organization is configured, so nothing was checked: " +
		"add audits.accounts (name, regions, optional role_arn) and audits.github.orgs to opsbot.yaml.",
	Ephemeral: true}

// Report is one audit's outcome.
type Report struct {
	Query    Query
	Findings []Finding // sorted: severity, check, account, region, resource
	Took     time.Duration
}

// Errors are the findings that report a check that could not run.
func (r Report) Errors() []Finding { return filter(r.Findings, Finding.IsError) }

// Audit runs q against every source at once and sorts the findings.
func (a *Auditor) Audit(ctx context.Context, q Query) Report {
	start := time.Now()
	var (
		mu  sync.Mutex
		all []Finding
		wg  sync.WaitGroup
	)
	for _, s := range a.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fs := s.Audit(ctx, q)
			mu.Lock()
			all = append(all, fs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	Sort(all)
	return Report{Query: q, Findings: all, Took: time.Since(start)}
}

// Sort orders findings for people: most pressing first, then by check,
// account, region and resource.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		if a.Check != b.Check {
			return checkRank(a.Check) < checkRank(b.Check)
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.ID < b.ID
	})
}

func checkRank(c Check) int {
	for i, x := range AllChecks {
		if x == c {
			return i
		}
	}
	return len(AllChecks)
}

func filter(fs []Finding, keep func(Finding) bool) []Finding {
	var out []Finding
	for _, f := range fs {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}
