// Command opsbot-bench measures opsbot against the references the issues
// name, in one run each, and prints figures and ratios:
//
//	opsbot-bench ingest     opsbot's S3 ingest vs ClickHouse's own s3() on the same engine
//	opsbot-bench query      phrase latency vs the same SQL run directly, and vs GoAccess
//	opsbot-bench bot        Slack event received → reply posted, on a loopback Slack
//	opsbot-bench hostile    peak memory loading hostile objects (junk, bombs, a 1 GiB line, corrupt Parquet)
//	opsbot-bench freshness  object lands → answerable over SQS, one slow object held
//	opsbot-bench day        a day of N requests: the daily analysis, the 21 phrases, GoAccess
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: opsbot-bench ingest|query|bot|freshness|day [flags]")
		os.Exit(2)
	}
	run := map[string]func(context.Context, []string) error{
		"ingest":       benchIngest,
		"hostile":      benchHostile,
		"hostile-load": hostileLoad, // one hostile object, in its own process
		"query":        benchQuery,
		"bot":          benchBot,
		"freshness":    benchFreshness,
		"day":          benchDayCmd,
		"s3serve":      serveS3, // the ingest benchmark's S3 server, in its own process
	}[os.Args[1]]
	if run == nil {
		fmt.Fprintf(os.Stderr, "opsbot-bench: unknown benchmark %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "opsbot-bench:", err)
		os.Exit(1)
	}
}
