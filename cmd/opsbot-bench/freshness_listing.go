package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/opsbot/opsbot/ingest"
)

// freshListing measures object lands → answerable when the worker lists
// the bucket every interval instead of reading notifications: objects land
// every `every`, none held, and an object is answerable when the worker
// logs it loaded (after its rows are committed and recorded). It prints
// p50/p95 per interval against the target interval + 1 s.
func freshListing(ctx context.Context, intervals string, objects, lines, workers int, every time.Duration) error {
	for _, s := range strings.Split(intervals, ",") {
		iv, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || iv <= 0 {
			return fmt.Errorf("-listing %q: want durations such as 2s", s)
		}
		if err := freshListingRun(ctx, iv, objects, lines, workers, every); err != nil {
			return err
		}
	}
	return nil
}

func freshListingRun(ctx context.Context, iv time.Duration, objects, lines, workers int, every time.Duration) error {
	f, err := newFreshBench(ctx, workers)
	if err != nil {
		return err
	}
	defer f.close()
	loaded := &loadedLog{at: map[string]time.Time{}, changed: make(chan struct{}, 1)}
	wk, err := ingest.New(ingest.Options{Warehouse: f.w, Source: &ingest.S3{Client: f.s3, Bucket: "edge-logs", Prefix: "cloudfront/"},
		Interval: iv, Workers: workers, Log: loaded})
	if err != nil {
		return err
	}
	bodies, err := freshObjects(objects, lines)
	if err != nil {
		return err
	}
	f.gate.release()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- wk.Run(runCtx) }()
	defer func() { stop(); <-ran }()
	landed := map[string]time.Time{}
	for i := 0; i < objects; i++ {
		key := f.key(i)
		if _, err := f.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge-logs"), Key: aws.String(key), Body: bytes.NewReader(bodies[i])}); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		landed["s3://edge-logs/"+key] = time.Now()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
	if err := loaded.waitFor(ctx, objects); err != nil {
		return err
	}
	if err := f.answerableN(ctx, objects); err != nil {
		return err
	}
	return listingReport(iv, loaded.since(landed))
}

// answerableN checks that n objects have rows in requests.
func (f *freshBench) answerableN(ctx context.Context, n int) error {
	res, err := f.w.Query(ctx, "SELECT uniqExact(source_object) FROM requests", nil)
	if err != nil {
		return err
	}
	if got := res.Rows[0][0].(uint64); got != uint64(n) {
		return fmt.Errorf("%d objects logged loaded but %d have rows", n, got)
	}
	return nil
}

func listingReport(iv time.Duration, ds []time.Duration) error {
	slices.Sort(ds)
	q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	target := iv + time.Second
	fmt.Printf("freshness listing every %s (%d objects): p50 %s  p95 %s  max %s (target p95 < %s)\n",
		iv, len(ds), ms(q(0.5)), ms(q(0.95)), ms(ds[len(ds)-1]), ms(target))
	if q(0.95) >= target {
		fmt.Printf("  p95 NOT under the interval + 1 s\n")
	}
	return nil
}

// loadedLog reads the worker's per-object lines ("loaded s3://…") and
// notes when each object was loaded.
type loadedLog struct {
	mu      sync.Mutex
	buf     []byte
	at      map[string]time.Time
	changed chan struct{}
}

var _ io.Writer = (*loadedLog)(nil)

func (l *loadedLog) Write(p []byte) (int, error) {
	t := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := string(l.buf[:i])
		l.buf = l.buf[i+1:]
		if rest, ok := strings.CutPrefix(line, "loaded s3://"); ok {
			name, _, _ := strings.Cut(rest, " (")
			l.at["s3://"+name] = t
		}
	}
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *loadedLog) waitFor(ctx context.Context, n int) error {
	for {
		l.mu.Lock()
		got := len(l.at)
		l.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-l.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *loadedLog) since(landed map[string]time.Time) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	for k, t := range landed {
		if at, ok := l.at[k]; ok {
			out = append(out, at.Sub(t))
		}
	}
	return out
}
