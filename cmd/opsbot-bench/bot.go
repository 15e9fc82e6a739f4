package main

import (
	"context"
	"errors"
)

func benchBot(ctx context.Context, args []string) error { return errors.New("bot benchmark not built yet") }
