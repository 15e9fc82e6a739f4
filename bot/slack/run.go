package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/opsbot/opsbot"
)

// RunHTTP serves HTTPHandler under prefix on l until ctx ends, then waits
// for the answers under way.
func (a *App) RunHTTP(ctx context.Context, l net.Listener, prefix string, h opsbot.Handler) error {
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", a.HTTPHandler(ctx, h))
	srv := HTTPServer(mux)
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

// HTTPServer is the server for Slack's endpoints, here and on serve's
// port: a deadline on every phase of a request, so that a slow or idle
// client cannot hold connections open, headers up to 64 KiB, and request
// bodies capped at MaxBody (reading past it fails; HTTPHandler answers 413).
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           http.MaxBytesHandler(h, MaxBody),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       15 * time.Second, // headers and body
		WriteTimeout:      30 * time.Second, // Slack's endpoints answer at once; /metrics is small
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
