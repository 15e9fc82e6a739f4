package stats

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/opsbot/opsbot/internal/text"
)

// Unit says how a figure is shown.
type Unit int

// Units.
const (
	Count   Unit = iota // 12,345
	Bytes               // 1.2 GB
	Ratio               // 1.23 % (stored as a fraction)
	Seconds             // 0.245 s
	Money               // 1,234.56 (the currency is in the metric's label)
)

// Metric is one kind of figure. Names are stored in org_stats.metric, so
// they never change.
type Metric struct {
	Name  string // section.name
	Label string // for people
	Unit  Unit
	// Trend: compared with last week and the four-week median.
	Trend bool
}

// Metrics, in report order. Dimensioned metrics (busiest day and hour,
// countries, per-account findings) carry their key in Figure.Dimension.
var (
	Requests      = Metric{"traffic.requests", "requests", Count, true}
	BytesServed   = Metric{"traffic.bytes", "bytes served", Bytes, true}
	Clients       = Metric{"traffic.clients", "distinct clients", Count, true}
	Ratio4xx      = Metric{"traffic.4xx_ratio", "4xx ratio", Ratio, true}
	Ratio5xx      = Metric{"traffic.5xx_ratio", "5xx ratio", Ratio, true}
	CacheHitRatio = Metric{"traffic.cache_hit_ratio", "cache hit ratio", Ratio, true}
	P95           = Metric{"traffic.p95_seconds", "p95 time taken", Seconds, true}
	BusiestDay    = Metric{"traffic.busiest_day", "busiest day", Count, false}
	BusiestHour   = Metric{"traffic.busiest_hour", "busiest hour", Count, false}
	Country       = Metric{"traffic.country_requests", "requests by country", Count, false}

	Questions      = Metric{"opsbot.questions", "questions asked", Count, true}
	Askers         = Metric{"opsbot.askers", "people who asked", Count, true}
	TopAsker       = Metric{"opsbot.top_asker_questions", "questions of the most active asker", Count, false}
	Refused        = Metric{"opsbot.refused", "commands refused", Count, true}
	Writes         = Metric{"opsbot.writes", "write actions (ban, unban)", Count, true}
	Pages          = Metric{"opsbot.pages", "pages sent from chat", Count, true}
	AlertsFired    = Metric{"opsbot.alerts_fired", "alerts fired (at least)", Count, true}
	AlertPosts     = Metric{"opsbot.alert_posts", "alert posts (fired, repeated, resolved)", Count, true}
	JobRuns        = Metric{"opsbot.job_runs", "scheduled runs", Count, true}
	JobFailures    = Metric{"opsbot.job_failures", "scheduled runs failed", Count, true}
	IngestObjects  = Metric{"opsbot.ingest_objects", "log objects loaded", Count, true}
	IngestRows     = Metric{"opsbot.ingest_rows", "log lines loaded", Count, true}
	IngestRejected = Metric{"opsbot.ingest_rejected", "log lines rejected", Count, true}
	IngestFailed   = Metric{"opsbot.ingest_failed", "log objects failed", Count, true}
	IngestLagP95   = Metric{"opsbot.ingest_lag_p95_seconds", "ingest lag p95", Seconds, true}
	IngestLagMax   = Metric{"opsbot.ingest_lag_max_seconds", "ingest lag max", Seconds, true}

	Members      = Metric{"engineering.members", "members", Count, true}
	ActiveRepos  = Metric{"engineering.repos_active", "repositories pushed to", Count, true}
	PRsOpened    = Metric{"engineering.prs_opened", "pull requests opened", Count, true}
	PRsMerged    = Metric{"engineering.prs_merged", "pull requests merged", Count, true}
	PRsClosed    = Metric{"engineering.prs_closed_unmerged", "pull requests closed unmerged", Count, true}
	MergeMedian  = Metric{"engineering.merge_median_seconds", "open to merge, median", Seconds, true}
	MergeP90     = Metric{"engineering.merge_p90_seconds", "open to merge, p90", Seconds, true}
	IssuesOpened = Metric{"engineering.issues_opened", "issues opened", Count, true}
	IssuesClosed = Metric{"engineering.issues_closed", "issues closed", Count, true}
	OldestOpen   = Metric{"engineering.oldest_open_pr_age_seconds", "oldest open pull requests", Seconds, false}

	No2FA      = Metric{"engineering.members_without_2fa", "members without 2FA", Count, true}
	No2FANew   = Metric{"engineering.members_without_2fa_new", "  of which new", Count, false}
	No2FAFixed = Metric{"engineering.members_without_2fa_fixed", "  fixed", Count, false}

	Instances        = Metric{"infra.instances_running", "instances running", Count, true}
	InstancesType    = Metric{"infra.instances_running_by_type", "running by type", Count, true}
	InstancesRegion  = Metric{"infra.instances_running_by_region", "running by region", Count, true}
	LoadBalancers    = Metric{"infra.load_balancers", "load balancers", Count, true}
	LoadBalancersReg = Metric{"infra.load_balancers_by_region", "load balancers by region", Count, true}

	// AWSCost is the week's cost from Cost Explorer (unblended), in total
	// and by service (the dimension); its label names the currency.
	AWSCost = Metric{"infra.aws_cost", "AWS cost", Money, true}

	OpenSG      = Metric{"infra.open_security_groups", "security-group findings open", Count, true}
	OpenSGNew   = Metric{"infra.open_security_groups_new", "  of which new", Count, false}
	OpenSGFixed = Metric{"infra.open_security_groups_fixed", "  fixed", Count, false}
	PublicLB    = Metric{"infra.public_load_balancers", "unexpected public load balancers", Count, true}
	PublicLBNew = Metric{"infra.public_load_balancers_new", "  of which new", Count, false}
	PublicLBFix = Metric{"infra.public_load_balancers_fixed", "  fixed", Count, false}
)

// Figure is one value of a metric in a window.
type Figure struct {
	Metric    Metric
	Dimension string // "" for a total
	Value     float64
}

// Format shows v in unit u.
func (u Unit) Format(v float64) string {
	switch u {
	case Money:
		return text.Thousands(strconv.FormatFloat(v, 'f', 2, 64))
	case Bytes:
		return bytesText(v)
	case Ratio:
		return strconv.FormatFloat(v*100, 'f', 2, 64) + " %"
	case Seconds:
		switch {
		case v >= 2*86400:
			return strconv.FormatFloat(v/86400, 'f', 1, 64) + " d"
		case v >= 2*3600:
			return strconv.FormatFloat(v/3600, 'f', 1, 64) + " h"
		case v >= 120:
			return strconv.FormatFloat(v/60, 'f', 1, 64) + " min"
		}
		return strconv.FormatFloat(v, 'f', 3, 64) + " s"
	}
	return text.Thousands(strconv.FormatFloat(v, 'f', 0, 64))
}

// bytesText is v bytes in decimal units (kB, MB, GB, TB), three figures.
func bytesText(v float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", v)
	}
	s := strconv.FormatFloat(v, 'f', 3-len(strconv.Itoa(int(v))), 64)
	return strings.TrimSuffix(s, ".") + " " + units[i]
}
