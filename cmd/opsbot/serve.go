package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/warehouse"
)

// runServe runs ingest, the Slack bot and the schedules in one process, with
// /metrics and /healthz (and Slack's HTTP endpoints in http mode) on --listen
// (loopback unless told otherwise).
func runServe(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("serve", "serve [--listen ADDR] [--from SOURCE]")
	listen := fs.String("listen", "127.0.0.1:9464", "address for /metrics, /healthz, Slack's endpoints (slack http mode), the feeds'\n"+
		"webhooks (/hooks/github, /hooks/jira, /hooks/feeds/NAME) and the web pages (web.base_url);\n"+
		"loopback only by default: expose it through a reverse proxy with TLS, or listen on\n"+
		"all interfaces with :9464")
	from := fs.String("from", g.cfg.Ingest.From, "ingest source (s3://, sqs:// or a folder); empty: no ingest worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	app, poster, err := connectSlack(ctx, g)
	if err != nil {
		return err
	}
	s, err := wire(ctx, g, w, poster, app)
	if err != nil {
		return err
	}
	resumeDeploys(ctx, s)
	if s.web, err = webPages(ctx, g, w, s, os.Getenv); err != nil {
		return err
	}
	err = serveStack(ctx, g, w, s, app, *listen, *from)
	if app != nil {
		app.Wait()
	}
	return err
}

// serveStack runs every part of s until ctx ends or one fails.
func serveStack(ctx context.Context, g *globals, w warehouse.Warehouse, s *stack, app *slack.App, listen, from string) error {
	metrics := ingest.NewMetrics() // served with or without ingest: its counters stay zero without
	eg, ctx := errgroup.WithContext(ctx)
	if from != "" {
		wk, err := ingestWorker(ctx, g, w, from, metrics)
		if err != nil {
			return err
		}
		eg.Go(func() error { return wk.Run(ctx) })
	}
	if err := serveSocket(ctx, eg, g, s); err != nil {
		return err
	}
	eg.Go(func() error { return s.sched.Run(ctx) })
	if len(g.cfg.Feeds.Sources) > 0 {
		eg.Go(func() error { return s.feeds.hub.Run(ctx) })
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", listen, err)
	}
	eg.Go(func() error { return serveHTTP(ctx, l, serveMux(ctx, eg, g, s, app, metrics)) })
	slog.Info("opsbot serving", "engine", w.Engine(), "listen", l.Addr().String(), "ingest", from, "slack", app != nil)
	if err := eg.Wait(); !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// serveSocket answers the others on an embedded data folder.
func serveSocket(ctx context.Context, eg *errgroup.Group, g *globals, s *stack) error {
	if g.cfg.ClickHouse != "" {
		return nil
	}
	wait, err := ipc.Start(ctx, g.cfg.Data, s.asker, s.bot, socketUser(g))
	if err != nil {
		return err
	}
	eg.Go(wait)
	return nil
}

// serveMux is what --listen serves: /healthz, /metrics and, in http mode,
// Slack's endpoints; in socket mode Slack runs in eg.
func serveMux(ctx context.Context, eg *errgroup.Group, g *globals, s *stack, app *slack.App, m *ingest.Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprintln(rw, "ok") })
	mux.Handle("/metrics", m.Handler())
	mountWeb(mux, s.web)
	for path, h := range s.feeds.hooks { // feeds' webhooks: /hooks/github, /hooks/jira, /hooks/feeds/NAME
		mux.Handle("POST "+path, h)
	}
	switch {
	case app != nil && g.cfg.Slack.Mode == "http":
		mux.Handle(g.cfg.Slack.PathPrefix+"/", app.HTTPHandler(ctx, s.bot))
	case app != nil:
		eg.Go(func() error { return app.RunSocket(ctx, s.bot) })
	}
	return mux
}

// connectSlack connects when SLACK_BOT_TOKEN is set; without it, serve runs
// ingest and schedules and logs what it would have posted.
func connectSlack(ctx context.Context, g *globals) (*slack.App, opsbot.Poster, error) {
	if os.Getenv("SLACK_BOT_TOKEN") == "" {
		slog.Warn("slack: SLACK_BOT_TOKEN not set; notices go to the log only")
		return nil, logPoster{}, nil
	}
	app, err := slack.New(ctx, slackOptions(g.cfg.Slack).FromEnv(os.Getenv))
	if err != nil {
		return nil, nil, fmt.Errorf("slack: %w", err)
	}
	return app, app.Notifier(), nil
}

// logPoster is the Poster without Slack.
type logPoster struct{}

func (logPoster) Post(ctx context.Context, m opsbot.Message) (string, error) {
	slog.Info("notice", "room", m.Channel, "title", m.Reply.Title, "text", m.Reply.Text)
	return fmt.Sprintf("log-%d", time.Now().UnixNano()), nil
}

// ingestWorker is serve's ingest: from the source from, counting into m.
func ingestWorker(ctx context.Context, g *globals, w warehouse.Warehouse, from string, m *ingest.Metrics) (*ingest.Worker, error) {
	o, err := ingestPlan(ctx, g.cfg.Ingest, g.cfg.RetentionDays, from)
	if err != nil {
		return nil, err
	}
	o.Warehouse, o.Metrics = w, m
	return ingest.New(o)
}

func serveHTTP(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := slack.HTTPServer(h)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
