package schedules

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/schedules/report"
	"github.com/opsbot/opsbot/schedules/rules"
	"github.com/opsbot/opsbot/schedules/stats"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// Options configure a Scheduler.
type Options struct {
	Config    *config.Config
	Warehouse warehouse.Warehouse
	// Poster posts to the rooms (the Slack notifier). Needed to run jobs
	// for real; not for List or dry runs.
	Poster opsbot.Poster
	// Pager pages (a *pager.Router); nil makes every page an @here.
	Pager Pager
	// Jobs are added to the built-in daily-analysis and health jobs; each
	// needs a schedule in schedules.jobs.
	Jobs  []Job
	Clock opsbot.Clock // opsbot.SystemClock when nil
	// Activity and Inventory read GitHub and AWS for the weekly statistics
	// (the infra audit's readers); nil when the audits do not look there.
	Activity  stats.Activity
	Inventory stats.Inventory
	// Costs reads Cost Explorer for the weekly statistics; nil (the
	// default: schedules.stats.cost_explorer off) makes no call.
	Costs stats.Costs
	// TopClients answers the daily report's top clients (the query
	// engine); nil: the report's own query.
	TopClients report.TopClients
	// Holder names this instance in the lease (host:pid by default).
	Holder string
	Log    *slog.Logger
}

// Scheduler runs the jobs.
type Scheduler struct {
	o       Options
	clock   opsbot.Clock
	log     *slog.Logger
	sender  Sender
	runs    runs
	lease   *lease
	store   *rules.CHStore
	rules   []rules.Rule
	entries []*entry
	mu      sync.Mutex
	wg      sync.WaitGroup
	ran     func(RunRecord) // tests: called after each scheduled run
}

// Run builds the scheduler from o and runs it until ctx ends.
func Run(ctx context.Context, o Options) error {
	s, err := New(o)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// New builds the scheduler: the built-in jobs and o.Jobs, each with its
// schedule from config. A job without a schedule, or two jobs with one
// name, is an error.
func New(o Options) (*Scheduler, error) {
	if o.Clock == nil {
		o.Clock = opsbot.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	rs, err := rules.Load(o.Config.Schedules.Health)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{o: o, clock: o.Clock, log: o.Log, runs: runs{o.Warehouse}, rules: rs,
		store: rules.NewStore(o.Warehouse),
		lease: &lease{w: o.Warehouse, name: "scheduler", holder: o.Holder, ttl: o.Config.Schedules.LeaseTTL}}
	s.sender = &Dispatcher{Poster: o.Poster, Pager: o.Pager, Rooms: o.Config.Slack.Rooms, Log: o.Log}
	jobs := append([]Job{s.report(), s.health(s.sender, false), s.orgStats().Job()}, o.Jobs...)
	for _, j := range jobs {
		if err := s.add(j); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Scheduler) add(j Job) error {
	cfg := s.o.Config.Schedules
	js, ok := cfg.Jobs[j.Name()]
	if !ok {
		return fmt.Errorf("job %s has no schedule: add schedules.jobs.%s.cron to the config", j.Name(), j.Name())
	}
	for _, e := range s.entries {
		if e.job.Name() == j.Name() {
			return fmt.Errorf("two jobs are named %s", j.Name())
		}
	}
	spec := js.CronSpec(s.o.Config.Timezone)
	sc, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedules.jobs.%s.cron: %w", j.Name(), err)
	}
	s.entries = append(s.entries, &entry{job: j, spec: spec, sched: sc, disabled: js.Disabled})
	return nil
}

func (s *Scheduler) report() Job {
	loc := s.o.Config.Location()
	if tz := s.o.Config.Schedules.Report.Timezone; tz != "" {
		loc, _ = time.LoadLocation(tz)
	}
	return report.New(report.Options{Warehouse: s.o.Warehouse, Location: loc, Top: s.o.Config.Schedules.Report.Top,
		WebURL: s.o.Config.Web.BaseURL, TopClients: s.o.TopClients})
}

func (s *Scheduler) health(sender Sender, dry bool) *rules.Engine {
	return rules.New(rules.Options{Rules: s.rules, Warehouse: s.o.Warehouse,
		Catalog: sql.DefaultCatalog(),
		Store:   s.store, Sender: sender, GroupWait: s.o.Config.Schedules.Health.GroupWait, DryRun: dry, Log: s.log, WebURL: s.o.Config.Web.BaseURL})
}

// Names are the jobs' names, sorted.
func (s *Scheduler) Names() []string {
	var out []string
	for _, e := range s.entries {
		out = append(out, e.job.Name())
	}
	sort.Strings(out)
	return out
}

// RunJob runs one job now, outside its schedule, and records the run.
// With dry set, nothing is posted, paged or recorded: what would be said
// is printed to out, attachments written into dir.
func (s *Scheduler) RunJob(ctx context.Context, name string, now time.Time, dry bool, out io.Writer, dir string) error {
	var e *entry
	for _, x := range s.entries {
		if x.job.Name() == name {
			e = x
		}
	}
	if e == nil {
		return opsbot.NotFoundf("no job %q; jobs: %s", name, strings.Join(s.Names(), ", "))
	}
	if !dry {
		r := s.execute(ctx, e.job, now, s.sender)
		if err := s.runs.record(ctx, r); err != nil {
			return err
		}
		if r.Error != "" {
			return fmt.Errorf("job %s: %s", name, r.Error)
		}
		return nil
	}
	p := &Printer{W: out, Dir: dir, Rooms: s.o.Config.Slack.Rooms}
	if name != rules.Name {
		pj, ok := e.job.(interface {
			Job
			Previewer
		})
		if !ok {
			return fmt.Errorf("job %s has no dry run: it acts when it runs (run it without --dry-run to act)", name)
		}
		if r := s.execute(ctx, preview{pj}, now, p); r.Error != "" {
			return fmt.Errorf("job %s: %s", name, r.Error)
		}
		return nil
	}
	eng := s.health(p, true)
	if r := s.execute(ctx, eng, now, p); r.Error != "" {
		return fmt.Errorf("job %s: %s", name, r.Error)
	}
	printRules(out, eng, s.rules)
	return nil
}

// printRules shows where each rule stands after a dry-run evaluation.
func printRules(out io.Writer, eng *rules.Engine, rs []rules.Rule) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE	VALUE	STATE	WARN	PAGE	SERVICE")
	for _, r := range rs {
		st := eng.State(r.Name)
		phase, value := st.Phase, r.Format(st.Value)
		if phase == "" {
			phase = rules.Inactive
		}
		if phase != rules.Inactive {
			phase += " (" + st.Level.String() + ")"
		}
		if st.Problem != nil {
			phase, value = "cannot evaluate: "+st.Problem.Msg, "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, value, phase,
			r.Threshold(opsbot.LevelWarn), r.Threshold(opsbot.LevelPage), r.Service)
	}
	tw.Flush()
}

// Skill is the chat skill for silences (silence, silences, unsilence).
func (s *Scheduler) Skill() opsbot.Skill { return rules.NewSilences(s.store, s.rules) }

// Rules are the health rules in force.
func (s *Scheduler) Rules() []rules.Rule { return s.rules }

// RuleStatus is one health rule with its saved state and silence.
type RuleStatus struct {
	Rule    rules.Rule
	State   rules.State
	Silence *rules.Silence
}

// RuleStatuses are the rules with their saved states and active silences.
func (s *Scheduler) RuleStatuses(ctx context.Context, now time.Time) ([]RuleStatus, error) {
	st, err := s.store.States(ctx)
	if err != nil {
		return nil, err
	}
	sil, err := s.store.Silences(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []RuleStatus
	for _, r := range s.rules {
		x := RuleStatus{Rule: r, State: st[r.Name]}
		for i := range sil {
			if sil[i].Rule == r.Name {
				x.Silence = &sil[i]
			}
		}
		out = append(out, x)
	}
	return out, nil
}
