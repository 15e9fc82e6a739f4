package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// benchIngest loads generated CloudFront objects from a loopback S3 server
// with opsbot's worker, then the same objects with ClickHouse's own s3()
// table function into the same kind of table on the same engine, and prints
// both rates, their ratio and the storage figures.
func benchIngest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	lines := fs.Int("lines", 1_000_000, "generated lines")
	objects := fs.Int("objects", 40, "gzipped objects")
	workers := fs.Int("workers", 0, "opsbot workers (0: default)")
	batch := fs.Int("batch-rows", 0, "opsbot rows per chunk of a large object (0: default)")
	pool := fs.Int("insert-rows", 0, "opsbot rows per pooled insert of small objects (0: default, -1: no pooling)")
	ids := fs.Bool("request-ids", false, "keep request ids in both runs (opsbot's default is not to)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of opsbot's run to this file")
	skipCH := fs.Bool("skip-clickhouse", false, "measure opsbot only")
	stopMerges := fs.Bool("stop-merges", false, "diagnosis: no background merges during the runs")
	noTopClients := fs.Bool("no-top-clients", false, "without the hourly top-client summaries (sql/schema/020), to measure their cost")
	noSlowRollup := fs.Bool("no-slow-rollup", false, "without the hourly slow-request rollup (sql/schema/022), to measure its cost")
	sweep := fs.String("sweep", "", "object sizes (lines per object, comma-separated): one opsbot-only run each, in its own process")
	sweepLines := fs.Int("sweep-lines", 1_000_000, "with -sweep: at least this many lines per run (and two objects)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sweep != "" {
		var extra []string
		for _, f := range []struct {
			name string
			v    int
		}{{"-workers", *workers}, {"-batch-rows", *batch}, {"-insert-rows", *pool}} {
			if f.v != 0 {
				extra = append(extra, f.name, strconv.Itoa(f.v))
			}
		}
		return ingestSweep(ctx, *sweep, *sweepLines, extra)
	}
	tmp, err := os.MkdirTemp("", "opsbot-bench-ingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b, err := newIngestBench(ctx, tmp, *lines, *objects)
	if err != nil {
		return err
	}
	defer b.close()
	if *noTopClients {
		if err := b.w.Exec(ctx, "DROP VIEW IF EXISTS requests_top_clients_mv", nil); err != nil {
			return err
		}
	}
	if *noSlowRollup {
		if err := b.w.Exec(ctx, "ALTER TABLE requests DROP PROJECTION IF EXISTS p_hour_slow", nil); err != nil {
			return err
		}
	}
	if *stopMerges {
		if err := b.w.Exec(ctx, "SYSTEM STOP MERGES", nil); err != nil {
			return err
		}
	}
	resetPeakRSS()
	ours, err := b.runOpsbot(ctx, ingest.Options{Workers: *workers, BatchRows: *batch, InsertRows: *pool, RequestIDs: *ids}, *cpuprofile)
	if err != nil {
		return err
	}
	rss := peakRSS()
	theirs := 0.0
	if !*skipCH {
		// The reference must not compete with the merges of opsbot's parts.
		if err := settle(ctx, b.w); err != nil {
			return err
		}
		if theirs, err = b.runClickHouse(ctx, *ids); err != nil {
			return err
		}
	}
	return b.report(ctx, ours, theirs, rss)
}

type ingestBench struct {
	w       *chdb.Warehouse
	s3url   string
	client  *s3.Client
	srvStop func()
	lines   int
	gzBytes int64
	inserts time.Duration // opsbot's time in the engine's inserts of request rows
}

func newIngestBench(ctx context.Context, tmp string, lines, objects int) (*ingestBench, error) {
	fmt.Fprintf(os.Stderr, "generating %d CloudFront lines in %d gzipped objects…\n", lines, objects)
	objs, err := loggen.WriteObjects(filepath.Join(tmp, "logs"), loggen.Options{
		Start: time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour), Lines: lines, Seed: 1}, objects)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if os.Getenv(k) == "" {
			os.Setenv(k, "opsbot-bench")
		}
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	url, stop, err := startS3()
	if err != nil {
		return nil, err
	}
	b := &ingestBench{s3url: url, srvStop: stop, lines: lines}
	cfg, err := ingest.LoadAWS(ctx)
	if err != nil {
		return nil, err
	}
	b.client = ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: url})
	if err := b.upload(ctx, objs); err != nil {
		return nil, err
	}
	if b.w, err = chdb.Open(filepath.Join(tmp, "data")); err != nil {
		return nil, err
	}
	_, err = sql.Migrate(ctx, b.w)
	return b, err
}

func (b *ingestBench) upload(ctx context.Context, objs []loggen.Object) error {
	if _, err := b.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("edge-logs")}); err != nil {
		return err
	}
	for _, o := range objs {
		f, err := os.Open(o.Path)
		if err != nil {
			return err
		}
		st, _ := f.Stat()
		b.gzBytes += st.Size()
		_, err = b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge-logs"),
			Key: aws.String("cloudfront/" + filepath.Base(o.Path)), Body: f, ContentLength: aws.Int64(st.Size())})
		f.Close()
		if err != nil {
			return fmt.Errorf("upload %s: %w", o.Path, err)
		}
	}
	return nil
}

func (b *ingestBench) close() {
	if b.w != nil {
		b.w.Close()
	}
	b.srvStop()
}

// runOpsbot times opsbot's worker over the bucket; it returns rows/s.
func (b *ingestBench) runOpsbot(ctx context.Context, o ingest.Options, cpuprofile string) (float64, error) {
	o.Warehouse, o.Source, o.Once = b.w, &ingest.S3{Client: b.client, Bucket: "edge-logs", Prefix: "cloudfront/"}, true
	o.Metrics = ingest.NewMetrics()
	wk, err := ingest.New(o)
	if err != nil {
		return 0, err
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t0, c0 := time.Now(), cpuTime()
	if err := wk.Run(ctx); err != nil {
		return 0, err
	}
	el, cpu := time.Since(t0), cpuTime()-c0
	n, err := b.count(ctx, "requests")
	if err != nil {
		return 0, err
	}
	if n != uint64(b.lines) {
		return 0, fmt.Errorf("opsbot stored %d rows of %d lines", n, b.lines)
	}
	fmt.Printf("opsbot ingest:            %9.0f rows/s  (%d rows in %s; %.0f rows per CPU-second, %.1fs CPU)\n",
		float64(n)/el.Seconds(), n, el.Round(time.Millisecond), float64(n)/cpu.Seconds(), cpu.Seconds())
	if b.inserts, err = insertTime(o.Metrics); err != nil {
		return 0, err
	}
	fmt.Printf("  of which the engine's inserts: %s (%.0f%% of the wall time; the engine runs one statement at a time)\n",
		b.inserts.Round(time.Millisecond), 100*b.inserts.Seconds()/el.Seconds())
	return float64(n) / el.Seconds(), nil
}

func (b *ingestBench) count(ctx context.Context, table string) (uint64, error) {
	res, err := b.w.Query(ctx, "SELECT count() FROM "+table, nil)
	if err != nil {
		return 0, err
	}
	return res.Rows[0][0].(uint64), nil
}

// insertTime is the time the worker spent in its inserts of request rows:
// the sum of its opsbot_ingest_batch_seconds histogram.
func insertTime(m *ingest.Metrics) (time.Duration, error) {
	mfs, err := m.Registry().Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() == "opsbot_ingest_batch_seconds" {
			sum := mf.GetMetric()[0].GetHistogram().GetSampleSum()
			return time.Duration(sum * float64(time.Second)), nil
		}
	}
	return 0, errors.New("no opsbot_ingest_batch_seconds metric")
}

// cpuTime is the CPU time this process used so far (user + system, every
// thread, the engine's included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS restarts VmHWM, so that peakRSS measures what follows.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is this process's peak resident set (VmHWM), in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			var kb float64
			fmt.Sscan(f[1], &kb)
			return kb / 1024
		}
	}
	return 0
}
