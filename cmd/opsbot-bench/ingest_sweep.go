package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// ingestSweep runs `ingest -skip-clickhouse` once per object size (lines
// per object), each in a fresh process on a fresh engine, with at least
// minLines lines in all, and prints each run's rate and peak RSS.
func ingestSweep(ctx context.Context, sizes string, minLines int, extra []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("%-14s %8s %10s %12s %14s\n", "lines/object", "objects", "lines", "rows/s", "peak RSS")
	for _, s := range strings.Split(sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || size <= 0 {
			return fmt.Errorf("-sweep %q: want lines per object", s)
		}
		objects := max(2, (minLines+size-1)/size)
		args := append([]string{"ingest", "-skip-clickhouse", "-lines", strconv.Itoa(size * objects), "-objects", strconv.Itoa(objects)}, extra...)
		out, err := exec.CommandContext(ctx, self, args...).Output()
		if err != nil {
			return fmt.Errorf("ingest of %d-line objects: %w\n%s", size, err, out)
		}
		rate, rss := sweepFigures(out)
		fmt.Printf("%-14d %8d %10d %12s %11s MB\n", size, objects, size*objects, rate, rss)
	}
	return nil
}

// sweepFigures picks the rate and the peak RSS out of an ingest run's
// output.
func sweepFigures(out []byte) (rate, rss string) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) > 2 && f[0] == "opsbot" && f[1] == "ingest:":
			rate = f[2]
		case len(f) > 5 && strings.HasPrefix(sc.Text(), "peak RSS during opsbot ingest:"):
			rss = f[5]
		}
	}
	return rate, rss
}
