package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
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

// runVersion prints opsbot's version, the engine it runs on and the Go
// that built it; it opens nothing.
func runVersion(ctx context.Context, g *globals, args []string) error {
	if err := subFlags("version", "version").Parse(args); err != nil {
		return err
	}
	fmt.Println("opsbot", version)
	fmt.Println("engine:", engineName(g))
	fmt.Println("go:", runtime.Version())
	return nil
}

// engineName is the engine the configuration points at.
func engineName(g *globals) string {
	if g.cfg.ClickHouse != "" {
		return "ClickHouse server (--clickhouse)"
	}
	return "chdb " + chdb.Version + " (embedded ClickHouse)"
}

var version = "dev"
