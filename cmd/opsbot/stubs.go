package main

import (
	"context"
	"errors"
)

var errNotYet = errors.New("not built yet")

func runAsk(ctx context.Context, g *globals, args []string) error       { return errNotYet }
func runChat(ctx context.Context, g *globals, args []string) error      { return errNotYet }
func runServe(ctx context.Context, g *globals, args []string) error     { return errNotYet }
func runDemo(ctx context.Context, g *globals, args []string) error      { return errNotYet }
func runSQL(ctx context.Context, g *globals, args []string) error       { return errNotYet }
func runSchedules(ctx context.Context, g *globals, args []string) error { return errNotYet }
