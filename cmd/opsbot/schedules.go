package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsbot/opsbot/internal/text"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/schedules"
	"github.com/opsbot/opsbot/warehouse"
)

// runSchedules lists the scheduled jobs or runs one now.
//
//	opsbot schedules list
//	opsbot schedules run NAME [--dry-run] [--out DIR] [--at TIME]
func runSchedules(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Println("usage: opsbot schedules list\n       opsbot schedules run NAME [--dry-run] [--out DIR] [--at TIME]")
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return schedulesList(ctx, g, args[1:])
	case "run":
		return schedulesRun(ctx, g, args[1:])
	}
	return fmt.Errorf("schedules: unknown subcommand %q (use list or run)", args[0])
}

func schedulesList(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("schedules list", "schedules list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	st, err := wire(ctx, g, w, nil, nil)
	if err != nil {
		return err
	}
	now := time.Now()
	entries, err := st.sched.List(ctx, now)
	if err != nil {
		return err
	}
	loc := g.cfg.Location()
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT RUN\tLAST RUN\tSTATUS")
	for _, e := range entries {
		next := e.Next.In(loc).Format("2006-01-02 15:04 MST") + " (in " + e.Next.Sub(now).Round(time.Minute).String() + ")"
		if e.Disabled {
			next = "disabled"
		}
		last, status := "never", ""
		if !e.Last.Tick.IsZero() {
			last, status = e.Last.Tick.In(loc).Format("2006-01-02 15:04 MST"), e.Last.Status
			if e.Last.Error != "" {
				status += ": " + text.Cut(e.Last.Error, 60)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Spec, next, last, status)
	}
	tw.Flush()
	if err := listRules(ctx, st.sched, now); err != nil {
		return err
	}
	if lead, err := st.sched.Leader(ctx, now); err == nil {
		if lead == "" {
			lead = "none (no scheduler is running)"
		}
		fmt.Printf("\nacting scheduler: %s\n", lead)
	}
	return nil
}

func schedulesRun(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("schedules run", "schedules run NAME [--dry-run] [--out DIR] [--at TIME]")
	dry := fs.Bool("dry-run", false, "print what would be posted and paged; attachments go to --out")
	out := fs.String("out", "", "folder for attachments in a dry run (default: a new temporary folder)")
	at := fs.String("at", "", "run as if it were this time (RFC 3339, e.g. 2026-11-23T07:00:00Z); default now")
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		fs.Usage()
		return errors.New("schedules run: name a job (see opsbot schedules list)")
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("--at %q: use RFC 3339, e.g. 2026-11-23T07:00:00Z", *at)
		}
		now = t
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	if *dry {
		return schedulesDryRun(ctx, g, w, name, now, *out)
	}
	_, poster, err := connectSlack(ctx, g)
	if err != nil {
		return err
	}
	st, err := wire(ctx, g, w, poster, nil)
	if err != nil {
		return err
	}
	if err := st.sched.RunJob(ctx, name, now, false, nil, ""); err != nil {
		return err
	}
	fmt.Printf("ran %s as of %s; its notices were posted (and paged) and the run recorded\n", name, now.Format(time.RFC3339))
	return nil
}

func schedulesDryRun(ctx context.Context, g *globals, w warehouse.Warehouse, name string, now time.Time, dir string) error {
	st, err := wire(ctx, g, w, nil, nil)
	if err != nil {
		return err
	}
	if err := knownJob(ctx, st.sched, name, now); err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "opsbot-"+name+"-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Printf("dry run of %s as of %s: nothing is posted, paged or recorded\n\n", name, now.Format(time.RFC3339))
	return st.sched.RunJob(ctx, name, now, true, os.Stdout, dir)
}

func listRules(ctx context.Context, s *schedules.Scheduler, now time.Time) error {
	rs, err := s.RuleStatuses(ctx, now)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nHEALTH RULE\tSTATE\tLAST VALUE\tWARN\tPAGE\tSERVICE\tSILENCED")
	for _, x := range rs {
		state, value := x.State.Phase, x.Rule.Format(x.State.Value)
		if state == "" {
			state, value = "not evaluated yet", "-"
		} else if state != "inactive" {
			state += " (" + x.State.Level.String() + ")"
		}
		if x.State.Problem != nil {
			state = "cannot evaluate: " + text.Cut(x.State.Problem.Msg, 50)
		}
		silenced := ""
		if x.Silence != nil {
			silenced = "until " + x.Silence.Until.Format("2006-01-02 15:04 MST") + " by " + x.Silence.By.ID + ": " + text.Cut(x.Silence.Reason, 40)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Rule.Name, state, value,
			x.Rule.Threshold(opsbot.LevelWarn), x.Rule.Threshold(opsbot.LevelPage), x.Rule.Service, silenced)
	}
	return tw.Flush()
}

// knownJob checks name before anything runs or is printed; the error lists
// the jobs.
func knownJob(ctx context.Context, s *schedules.Scheduler, name string, now time.Time) error {
	entries, err := s.List(ctx, now)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Name == name {
			return nil
		}
		names = append(names, e.Name)
	}
	return opsbot.NotFoundf("no scheduled job %q; jobs: %s (opsbot schedules list)", name, strings.Join(names, ", "))
}
