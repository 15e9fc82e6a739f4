package main

import (
	"context"
	"fmt"
	"os"

	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

func runMigrate(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("migrate", "migrate [--cluster NAME]")
	cluster := fs.String("cluster", "", "print the schema rendered for this ClickHouse cluster (ReplicatedMergeTree + Distributed, ON CLUSTER) instead of applying it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cluster != "" {
		ms, err := sql.Migrations()
		if err != nil {
			return err
		}
		for _, m := range warehouse.ClusterMigrations(ms, *cluster) {
			fmt.Printf("-- %s\n%s\n", m.Name, m.SQL)
		}
		return nil
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Fprintf(os.Stderr, "schema up to date on %s\n", w.Engine())
	return nil
}

func runVersion(ctx context.Context, g *globals, args []string) error {
	fmt.Println("opsbot", version)
	return nil
}

var version = "dev"
