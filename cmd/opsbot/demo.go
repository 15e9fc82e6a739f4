package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse"
)

// demoMarker marks a data folder the demo owns and may empty.
const demoMarker = ".opsbot-demo"

// demoPhrases are answered after the ingest.
var demoPhrases = []string{"top 4xx by ip", "top 5xx by path last 24h", "status last 24h"}

// runDemo writes a realistic day of CloudFront logs ending now, ingests
// them into the embedded engine, answers three phrases, then opens the
// terminal chat when stdin is a terminal.
func runDemo(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("demo", "demo [--dir DIR] [--lines N] [--no-chat]")
	dir := fs.String("dir", ".demo/logs", "folder for the generated CloudFront logs (emptied first)")
	lines := fs.Int("lines", 250_000, "requests in the generated day")
	noChat := fs.Bool("no-chat", false, "do not open the terminal chat")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if g.cfg.ClickHouse != "" {
		return errors.New("demo: runs on the embedded engine; drop --clickhouse")
	}
	if err := claimDemoFolder(g.cfg.Data); err != nil {
		return err
	}
	w, err := g.open(ctx) // the folder's lock first: nothing is written while another process holds it
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer w.Close()
	began := time.Now()
	now := began.UTC().Truncate(time.Second)
	if err := writeDemoLogs(*dir, now, *lines); err != nil {
		return err
	}
	for _, t := range []string{"requests", "ingest_objects", "ingest_rejects"} {
		if err := w.Exec(ctx, "TRUNCATE TABLE IF EXISTS "+t, nil); err != nil {
			return fmt.Errorf("demo: empty %s: %w", t, err)
		}
	}
	if err := demoIngest(ctx, g, w, *dir); err != nil {
		return err
	}
	engine := query.New(w, queryOptions(g.cfg))
	for _, p := range demoPhrases {
		reply, err := engine.Ask(ctx, p, now)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p, err)
		}
		fmt.Printf("\n> opsbot %s\n%s\n", p, text.Reply(reply))
	}
	fmt.Printf("\ndemo done in %s: data in %s, logs in %s\n", time.Since(began).Round(time.Millisecond), g.cfg.Data, *dir)
	if *noChat || !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Printf("Continue with: %s\n", continueCommand(g.cfg.Data))
		return nil
	}
	// The demo's own terminal identity may read and run SQL; nobody else
	// gains a role (roles come from access: in opsbot.yaml).
	me := localUser(g.cfg.Slack.Terminal.User, g.cfg.Slack.Terminal.Name)
	g.cfg.Access.Analysts.Users = append(g.cfg.Access.Analysts.Users, me.ID)
	fmt.Printf("\nTerminal chat as %s (analyst, for the demo): try `help`, `top 5xx by path last 24h`, `hits 104.2.1.1`. Ctrl-D quits.\n", me.ID)
	err = chatOn(ctx, g, w, me.ID, me.Name)
	fmt.Printf("Continue with: %s\n", continueCommand(g.cfg.Data))
	return err
}

// continueCommand is the chat on the demo's data, as this binary was
// invoked (./bin/opsbot after `make demo`), the folder relative to here.
func continueCommand(data string) string {
	if wd, err := os.Getwd(); err == nil && filepath.IsAbs(data) {
		if rel, err := filepath.Rel(wd, data); err == nil && !strings.HasPrefix(rel, "..") {
			data = rel
		}
	}
	bin := "opsbot"
	if strings.Contains(os.Args[0], "/") {
		bin = os.Args[0]
	}
	return shellQuote(bin) + " --data " + shellQuote(data) + " chat"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// claimDemoFolder refuses a data folder that holds anything but an earlier
// demo, so the demo never empties real data.
func claimDemoFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("demo: %w", err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("demo: %s holds data that is not the demo's; give the demo its own folder (--data .demo/data)", dir)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("this data folder belongs to `opsbot demo`\n"), 0o600)
}

func writeDemoLogs(dir string, now time.Time, lines int) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	o := loggen.Options{Start: now.Add(-24 * time.Hour), Duration: 24 * time.Hour, Lines: lines}
	objs, err := loggen.WriteObjects(dir, o, 24)
	if err != nil {
		return fmt.Errorf("demo: write logs: %w", err)
	}
	fmt.Printf("wrote %d gzipped CloudFront objects (%d requests, %s to %s) to %s\n",
		len(objs), lines, o.Start.Format("Jan 2 15:04"), now.Format("Jan 2 15:04 MST"), dir)
	return nil
}

func demoIngest(ctx context.Context, g *globals, w warehouse.Warehouse, dir string) error {
	o, err := ingestPlan(ctx, g.cfg.Ingest, g.cfg.RetentionDays, dir)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	o.Warehouse, o.Once, o.Log = w, true, io.Discard
	wk, err := ingest.New(o)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	t0 := time.Now()
	if err := wk.Run(ctx); err != nil {
		return fmt.Errorf("demo: ingest: %w", err)
	}
	s := wk.Summary()
	took := time.Since(t0)
	fmt.Printf("ingested %d rows from %d objects in %s (%.0f rows/s, %d rejected lines) into %s\n",
		s.Rows.Load(), s.Loaded.Load(), took.Round(time.Millisecond), float64(s.Rows.Load())/took.Seconds(), s.Rejected.Load(), w.Engine())
	return nil
}
