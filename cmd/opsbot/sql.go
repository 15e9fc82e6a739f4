package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
)

// runSQL lists the named queries or runs one:
//
//	opsbot sql list
//	opsbot sql show NAME
//	opsbot sql run NAME [--param k=v …] [--format table|json|csv] [--now TIME]
func runSQL(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: " + sqlUsage)
	}
	if isHelp(args[0]) {
		fmt.Println("usage: " + sqlUsage)
		return flag.ErrHelp
	}
	e := query.New(nil, queryOptions(g.cfg))
	switch args[0] {
	case "list":
		for _, n := range e.List() {
			fmt.Printf("%-24s %s\n", n.Name, n.Summary)
		}
		for name, err := range e.Problems() {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		}
		return nil
	case "show":
		if len(args) != 2 {
			return errors.New("usage: opsbot sql show NAME")
		}
		n, err := e.Named(args[1])
		if err != nil {
			return err
		}
		fmt.Print(n.SQL)
		return nil
	case "run":
		return sqlRun(ctx, g, args[1:])
	}
	return fmt.Errorf("sql %q: use list, show or run", args[0])
}

const sqlUsage = "opsbot sql list | show NAME | run NAME [--param k=v …] [--format table|json|csv] [--now TIME]"

type paramFlags opsbot.Params

func (p paramFlags) String() string { return "" }
func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("--param %q: use NAME=VALUE", s)
	}
	p[k] = v
	return nil
}

func sqlRun(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("sql run", "sql run NAME [--param k=v …] [--format table|json|csv] [--now TIME]")
	params := paramFlags{}
	fs.Var(params, "param", "a parameter, NAME=VALUE (repeatable); the rest take the file's defaults")
	format := fs.String("format", "table", "table, json or csv")
	nowFlag := fs.String("now", "", "the instant defaults like now-1h are relative to")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: opsbot sql run NAME [--param k=v …]")
	}
	now, err := parseNow(*nowFlag, g.cfg.Location())
	if err != nil {
		return err
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	e := query.New(w, queryOptions(g.cfg))
	res, bound, err := e.Run(ctx, fs.Arg(0), opsbot.Params(params), now)
	if err != nil {
		return err
	}
	n, _ := e.Named(fs.Arg(0))
	switch *format {
	case "json":
		return query.WriteJSON(os.Stdout, n.Name, n.SQL, bound, res)
	case "csv":
		return text.WriteCSV(os.Stdout, res)
	case "table":
		fmt.Print(text.Table(res, 160))
		fmt.Printf("%s rows scanned in %s\n", text.Value(res.Stats.RowsRead), text.Duration(res.Stats.Elapsed))
		return nil
	}
	return fmt.Errorf("--format %q: use table, json or csv", *format)
}
