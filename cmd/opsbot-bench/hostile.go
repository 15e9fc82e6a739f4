package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// hostileCase is one hostile object, generated (streamed to a file) by the
// benchmark itself.
type hostileCase struct {
	name, file string
	write      func(io.Writer) error
}

var hostileStart = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func hostileCases() []hostileCase {
	good := loggen.Options{Start: hostileStart, Lines: 3}
	gz := func(fn func(io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error {
			zw := gzip.NewWriter(w)
			if err := fn(zw); err != nil {
				return err
			}
			return zw.Close()
		}
	}
	return []hostileCase{
		{"baseline: 3 good lines", "E2OPSBOTDEMO.2026-11-22-10.base.gz", gz(func(w io.Writer) error {
			_, err := loggen.WriteJunk(w, good, 0, 0)
			return err
		})},
		{"300k junk lines of 999 B (gzip)", "E2OPSBOTDEMO.2026-11-22-10.junk.gz", gz(func(w io.Writer) error {
			_, err := loggen.WriteJunk(w, good, 300_000, 999)
			return err
		})},
		{"gzip bomb: 3 lines, then 2 GiB of newlines", "E2OPSBOTDEMO.2026-11-22-10.bomb.gz", gz(func(w io.Writer) error {
			return bomb(w, good, 2<<30)
		})},
		{"zstd bomb: 3 lines, then 8 GiB of newlines", "E2OPSBOTDEMO.2026-11-22-10.bomb.zst", func(w io.Writer) error {
			zw, err := zstd.NewWriter(w)
			if err != nil {
				return err
			}
			if err := bomb(zw, good, 8<<30); err != nil {
				return err
			}
			return zw.Close()
		}},
		{"one 1 GiB line (plain)", "E2OPSBOTDEMO.2026-11-22-10.long", func(w io.Writer) error {
			if _, err := loggen.WriteJunk(w, good, 0, 0); err != nil {
				return err
			}
			if err := loggen.WriteRepeat(w, 'a', 1<<30); err != nil {
				return err
			}
			_, err := io.WriteString(w, "\n")
			return err
		}},
		{"Parquet, dictionary page of negative size", "negative.parquet", func(w io.Writer) error {
			data, _, err := loggen.Parquet(loggen.Options{Start: hostileStart, Lines: 5000})
			if err == nil {
				err = loggen.CorruptDictPage(data, 1)
			}
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
	}
}

// bomb writes a CloudFront object that passes detection, then n blank
// lines: each costs the reader a turn, none is a row or a reject.
func bomb(w io.Writer, good loggen.Options, n int64) error {
	if _, err := loggen.WriteJunk(w, good, 0, 0); err != nil {
		return err
	}
	return loggen.WriteRepeat(w, '\n', n)
}

// benchHostile loads each hostile object alone, in a fresh child process
// on a fresh embedded engine, and prints what the manifest recorded and
// the child's peak resident set (its rusage maxrss: everything, the
// engine included). The baseline case shows what the engine costs alone.
func benchHostile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hostile", flag.ContinueOnError)
	only := fs.String("only", "", "run only the cases whose name contains this")
	memprofile := fs.String("memprofile", "", "each child samples every allocation and writes them (pprof allocs) to this path + the case number")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "opsbot-bench-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("%-44s %10s %10s %8s %9s %8s  %s\n", "case", "stored", "status", "rows", "rejected", "peak MB", "error")
	for i, c := range hostileCases() {
		if !strings.Contains(c.name, *only) {
			continue
		}
		dir := filepath.Join(tmp, fmt.Sprint(i))
		size, err := writeCase(dir, c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		profile := ""
		if *memprofile != "" {
			profile = fmt.Sprint(*memprofile, i)
		}
		out, rss, err := runCase(ctx, dir, profile)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		counts, msg, _ := strings.Cut(out, "\t")
		fmt.Printf("%-44s %10s %s %8.0f  %s\n", c.name, mb(size), counts, rss, msg)
		os.RemoveAll(dir)
	}
	return nil
}

func mb(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d MB", n>>20)
}

func writeCase(dir string, c hostileCase) (int64, error) {
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(filepath.Join(dir, "logs", c.file))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := c.write(bw); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}

// runCase runs hostileLoad in a child process (writing its allocation
// profile to profile unless ""); it returns the child's report and peak
// RSS in MB.
func runCase(ctx context.Context, dir, profile string) (string, float64, error) {
	cmd := exec.CommandContext(ctx, os.Args[0], "hostile-load", dir, profile)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", 0, fmt.Errorf("child: %w", err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return "", 0, fmt.Errorf("no rusage for the child")
	}
	return string(trimNL(out)), float64(ru.Maxrss) / 1024, nil
}

func writeAllocs(path string) {
	runtime.GC() // the profile shows allocations up to the last collection
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "allocation profile:", err)
	}
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return b
}

// hostileLoad (the child) loads DIR/logs into a fresh engine in DIR/data
// and prints one line: status, rows, rejected, error. Given a PROFILE path,
// it samples every allocation and writes them there at the end.
func hostileLoad(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: hostile-load DIR PROFILE")
	}
	if args[1] != "" {
		runtime.MemProfileRate = 1
		defer writeAllocs(args[1])
	}
	w, err := chdb.Open(filepath.Join(args[0], "data"))
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err := sql.Migrate(ctx, w); err != nil {
		return err
	}
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: filepath.Join(args[0], "logs")}, Once: true, MaxAttempts: 1})
	if err != nil {
		return err
	}
	wk.Run(ctx) // a failed object is an outcome here, read from the manifest
	res, err := w.Query(ctx, "SELECT status, rows, rejected, error FROM ingest_objects FINAL", nil)
	if err != nil || len(res.Rows) != 1 {
		return fmt.Errorf("manifest: %v rows, %v", res, err)
	}
	r := res.Rows[0]
	msg := warehouse.String(r[3])
	if len(msg) > 110 {
		msg = msg[:110] + "…"
	}
	fmt.Printf("%10s %8d %9d\t%s\n", warehouse.String(r[0]), warehouse.Uint64(r[1]), warehouse.Uint64(r[2]), msg)
	return nil
}
