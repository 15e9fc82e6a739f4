// Command opsbot asks CDN logs questions from chat. It is thin: flags and
// signals become a context and an Options struct handed to Run in the
// package that does the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: its one-line summary and what runs it.
type command struct {
	summary string
	run     func(ctx context.Context, g *globals, args []string) error
}

var commands = map[string]command{
	"migrate":   {"apply the schema (again: a no-op); --cluster NAME prints it for a cluster", runMigrate},
	"ingest":    {"load CDN logs from s3://, sqs:// or a folder into ClickHouse", runIngest},
	"ask":       {"answer one chat phrase: opsbot ask \"top 4xx by ip\"", runAsk},
	"chat":      {"terminal chat with the same commands as Slack", runChat},
	"serve":     {"run ingest, the Slack bot and the schedules in one process", runServe},
	"demo":      {"generate a day of CloudFront logs, ingest them and answer questions", runDemo},
	"sql":       {"list or run the named queries in sql/queries", runSQL},
	"schedules": {"list scheduled jobs, or run one (--dry-run prints what would be posted)", runSchedules},
	"version":   {"print the version and the engine", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "opsbot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	g, rest, err := parseGlobals(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		usage()
		return flag.ErrHelp
	}
	c, ok := commands[rest[0]]
	if !ok {
		usage()
		return fmt.Errorf("unknown command %q", rest[0])
	}
	return c.run(ctx, g, rest[1:])
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: opsbot [--config FILE] [--data DIR | --clickhouse DSN] COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun opsbot COMMAND --help for its flags.")
}
