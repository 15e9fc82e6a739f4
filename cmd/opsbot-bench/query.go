package main

import (
	"context"
	"errors"
)

func benchQuery(ctx context.Context, args []string) error { return errors.New("query benchmark not built yet") }
