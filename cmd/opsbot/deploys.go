package main

import (
	"context"
	"log/slog"
)

// resumeDeploys follows the deploys a previous opsbot left running (only
// serve does: one process follows them).
func resumeDeploys(ctx context.Context, s *stack) {
	if s.wired.Deploys == nil {
		return
	}
	n, err := s.wired.Deploys.Resume(ctx)
	if err != nil {
		slog.Error("deploys: could not resume the deploys left running", "err", err)
		return
	}
	if n > 0 {
		slog.Info("deploys: following the deploys left running", "count", n)
	}
}
