package main

import (
	"context"
	"errors"
)

func benchIngest(ctx context.Context, args []string) error { return errors.New("ingest benchmark not built yet") }
