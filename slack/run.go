package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/opsbot/opsbot/config"
)

// Run answers through h in the configured mode until ctx ends: Socket Mode,
// or (mode http) the signed HTTP endpoints on c.Listen under c.PathPrefix.
// Serve that mounts the endpoints on its own port uses HTTPHandler instead.
func (a *App) Run(ctx context.Context, c config.Slack, h Handler) error {
	if c.Mode != "http" {
		return a.RunSocket(ctx, h)
	}
	l, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("slack: listen: %w", err)
	}
	return a.RunHTTP(ctx, l, c.PathPrefix, h)
}

// RunHTTP serves HTTPHandler under prefix on l until ctx ends, then waits
// for the answers under way.
func (a *App) RunHTTP(ctx context.Context, l net.Listener, prefix string, h Handler) error {
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", a.HTTPHandler(ctx, h))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		a.wg.Wait()
		return nil
	}
	return fmt.Errorf("slack: http: %w", err)
}
