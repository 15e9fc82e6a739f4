package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
	"github.com/opsbot/opsbot/warehouse/clickhouse"
)

// globals are the flags before the command.
type globals struct {
	configPath string
	data       string
	dsn        string
	cfg        *config.Config
}

func parseGlobals(args []string) (*globals, []string, error) {
	g := &globals{}
	fs := flag.NewFlagSet("opsbot", flag.ContinueOnError)
	fs.Usage = usage
	fs.StringVar(&g.configPath, "config", "", "config file (default: opsbot.yaml if present)")
	fs.StringVar(&g.data, "data", "", "embedded engine data folder (default: per-user data folder)")
	fs.StringVar(&g.dsn, "clickhouse", "", "ClickHouse server DSN, e.g. clickhouse://user@host:9000/opsbot?secure=true (password from OPSBOT_CLICKHOUSE_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	path, required := g.configPath, true
	if path == "" {
		path, required = "opsbot.yaml", false
	}
	cfg, err := config.Load(path, required)
	if err != nil {
		return nil, nil, err
	}
	if g.data != "" { // flags override the file
		cfg.Data, cfg.ClickHouse = g.data, ""
	}
	if g.dsn != "" {
		cfg.ClickHouse = g.dsn
	}
	if cfg.Data == "" {
		cfg.Data = defaultDataDir()
	}
	g.cfg = cfg
	return g, fs.Args(), nil
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "opsbot")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "opsbot-data"
	}
	return filepath.Join(home, ".local", "share", "opsbot")
}

// open connects to the configured engine and applies the schema.
func (g *globals) open(ctx context.Context) (warehouse.Warehouse, error) {
	w, err := g.connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, w, g.cfg.RetentionDays); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (g *globals) connect(ctx context.Context) (warehouse.Warehouse, error) {
	if g.cfg.ClickHouse != "" {
		return clickhouse.Open(ctx, g.cfg.ClickHouse, os.Getenv("OPSBOT_CLICKHOUSE_PASSWORD"))
	}
	return chdb.Open(g.cfg.Data)
}

func migrate(ctx context.Context, w warehouse.Warehouse, retentionDays int) error {
	applied, err := sql.Migrate(ctx, w)
	for _, a := range applied {
		fmt.Fprintln(os.Stderr, "migrated", a)
	}
	if err != nil {
		return err
	}
	return warehouse.ApplyRetention(ctx, w, retentionDays)
}

// subFlags is a flag set for one command, with --help listing its flags
// on stdout (mistakes are told on stderr).
func subFlags(name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fs.SetOutput(os.Stdout)
		defer fs.SetOutput(os.Stderr)
		fmt.Printf("usage: opsbot %s\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// isHelp is whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}
