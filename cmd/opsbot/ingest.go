package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/ingest/edgelog"
)

// runIngest loads logs (opsbot ingest --from …) or reports on ingest
// (opsbot ingest status).
func runIngest(ctx context.Context, g *globals, args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return runIngestStatus(ctx, g, args[1:])
	}
	fs := subFlags("ingest", "ingest [--from s3://BUCKET/PREFIX | sqs://QUEUE_URL | DIR] [--once] [flags]\n       opsbot ingest status")
	c := g.cfg.Ingest
	from := fs.String("from", c.From, "source: s3://BUCKET/PREFIX, sqs://QUEUE_URL or a folder (default: ingest.from)")
	endpoint := fs.String("s3-endpoint", c.S3Endpoint, "S3-compatible endpoint URL, path-style (AWS_ENDPOINT_URL_S3 works too)")
	once := fs.Bool("once", false, "process what is there, then exit (backfill, cron)")
	format := fs.String("format", c.Format, "force a format: "+ingestFormatNames()+" (default: detect per object)")
	since := fs.String("since", "", "only objects whose time (from the name, else delivery) is at or after this (2026-11-22, 2026-11-22T10:00:00Z)")
	until := fs.String("until", "", "only objects whose time is before this")
	var reingest []string
	fs.Func("reingest", "replace this object's rows: delete them and load it again (repeatable; implies --once)", func(s string) error {
		reingest = append(reingest, s)
		return nil
	})
	workers := fs.Int("workers", c.Workers, "objects read at once")
	batch := fs.Int("batch-rows", c.BatchRows, "rows per insert when an object is read in chunks")
	pool := fs.Int("insert-rows", c.InsertRows, "pool objects smaller than --batch-rows into inserts of up to this many rows (0: one insert per object)")
	ids := fs.Bool("request-ids", c.RequestIDs, "keep the edge's request ids (random: ~40 bytes a row that no codec shrinks)")
	verbose := fs.Bool("verbose", false, "also log every committed chunk")
	noBar := fs.Bool("no-progress", false, "plain log lines even on a terminal")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("ingest: unexpected argument %q", fs.Arg(0))
	}
	if *batch < 1000 {
		return fmt.Errorf("ingest: --batch-rows must be at least 1000, got %d", *batch)
	}
	if *pool != 0 && *pool < *batch {
		return fmt.Errorf("ingest: --insert-rows must be 0 or at least --batch-rows (%d), got %d", *batch, *pool)
	}
	c.S3Endpoint, c.Workers, c.BatchRows, c.InsertRows, c.RequestIDs = *endpoint, *workers, *batch, *pool, *ids // as the config section means them
	if c.Format = *format; c.Format != "" {
		f, err := edgelog.ParseFormat(*format)
		if err != nil {
			return fmt.Errorf("ingest: --format: %w", err)
		}
		c.Format = string(f)
	}
	o, err := ingestPlan(ctx, c, g.cfg.RetentionDays, *from)
	if err != nil {
		return err
	}
	o.Once, o.Reingest, o.Verbose = *once, reingest, *verbose
	if err := ingestWindow(&o, *since, *until); err != nil {
		return err
	}
	if o.Once && !*noBar && term.IsTerminal(int(os.Stderr.Fd())) {
		o.Progress = os.Stderr
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	o.Warehouse = w
	wk, err := ingest.New(o)
	if err != nil {
		return err
	}
	src := o.Source.String()
	if o.Queue != nil {
		src = o.Queue.String()
	}
	fmt.Fprintf(os.Stderr, "ingest from %s into %s\n", src, w.Engine())
	err = wk.Run(ctx)
	s := wk.Summary()
	fmt.Fprintf(os.Stderr, "ingest: %d objects loaded (%d rows, %d lines rejected), %d already loaded, %d expired, %d failed, %d skipped (ingest status says why)\n",
		s.Loaded.Load(), s.Rows.Load(), s.Rejected.Load(), s.Skipped.Load(), s.Expired.Load(), s.Failed.Load(), s.NotLoadable.Load())
	return err
}

// ingestPlan is the one ingest set-up of ingest, serve and demo: the
// options of the ingest section c (flags already applied) and the source
// from names. The caller adds the warehouse and what its command changes.
func ingestPlan(ctx context.Context, c config.Ingest, retentionDays int, from string) (ingest.Options, error) {
	o := ingestOptions(c, retentionDays)
	o.Log = os.Stderr
	var err error
	if o.Source, o.Queue, err = ingest.From(ctx, from, c.S3Endpoint, c.VisibilityTimeout); err != nil {
		return o, fmt.Errorf("ingest: %w", err)
	}
	return o, nil
}

func runIngestStatus(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("ingest status", "ingest status")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	r, err := ingest.Status(ctx, w, time.Now().In(g.cfg.Location()))
	if err != nil {
		return err
	}
	r.Write(os.Stdout)
	return nil
}

func ingestWindow(o *ingest.Options, since, until string) error {
	var err error
	if since != "" {
		if o.Since, err = ingestTime(since); err != nil {
			return fmt.Errorf("ingest: --since: %w", err)
		}
	}
	if until != "" {
		if o.Until, err = ingestTime(until); err != nil {
			return fmt.Errorf("ingest: --until: %w", err)
		}
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
		return fmt.Errorf("ingest: --until %s is not after --since %s", until, since)
	}
	return nil
}

func ingestTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02T15", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2026-11-22 or 2026-11-22T10:00:00Z)", s)
}

func ingestFormatNames() string {
	var s []string
	for _, f := range edgelog.Formats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}
