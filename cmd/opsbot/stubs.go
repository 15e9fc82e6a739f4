package main

import (
	"context"
	"errors"
)

var errNotYet = errors.New("not built yet")

func runSchedules(ctx context.Context, g *globals, args []string) error { return errNotYet }
