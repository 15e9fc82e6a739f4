package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// benchFreshness measures how soon an object is answerable once it lands,
// over SQS, while one slow object's download is held: the worker watches a
// loopback SQS queue (the SDK's JSON protocol, long polling) for the S3
// notifications of objects put on a loopback S3 one after another. An
// object lands when PutObject returns and its notification is sent; it is
// answerable when its rows are in the requests table (checked when the
// worker deletes its message, which it does once they are committed and
// recorded). It prints p50/p95 of the others and fails unless their p95 is
// under 1 s.
func benchFreshness(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("freshness", flag.ContinueOnError)
	objects := fs.Int("objects", 40, "objects announced while the slow one is held")
	lines := fs.Int("lines", 2000, "generated lines per object")
	every := fs.Duration("every", 250*time.Millisecond, "time between two objects landing")
	hold := fs.Bool("hold", true, "hold the first object's download until the others are answerable (false: a reference run)")
	workers := fs.Int("workers", 0, "opsbot workers (0: default)")
	listing := fs.String("listing", "", "instead of SQS: list the bucket every interval, for each of these (e.g. 1s,2s,5s); nothing held")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *listing != "" {
		return freshListing(ctx, *listing, *objects, *lines, *workers, *every)
	}
	f, err := newFreshBench(ctx, *workers)
	if err != nil {
		return err
	}
	defer f.close()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- f.worker.Run(runCtx) }()
	defer func() { stop(); <-ran }()

	bodies, err := freshObjects(*objects+1, *lines)
	if err != nil {
		return err
	}
	slowKey := f.key(0)
	if *hold {
		f.gate.hold("/edge-logs/" + slowKey)
	} else {
		f.gate.release()
	}
	if err := f.land(ctx, slowKey, bodies[0]); err != nil {
		return err
	}
	if err := f.gate.wait(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "first object's download held: %v; %d objects of %d lines land every %s…\n", *hold, *objects, *lines, *every)
	for i := 1; i <= *objects; i++ {
		if err := f.land(ctx, f.key(i), bodies[i]); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(*every):
		}
	}
	others, err := f.waitAll(ctx, *objects)
	if err != nil {
		return err
	}
	f.gate.release()
	slow, err := f.waitKey(ctx, slowKey)
	if err != nil {
		return err
	}
	if err := f.answerable(ctx); err != nil {
		return err
	}
	return report(others, slow, *hold)
}

type freshBench struct {
	w      *chdb.Warehouse
	tmp    string
	stamp  string // the hour in the objects' names
	s3srv  *httptest.Server
	gate   *heldGet
	s3     *s3.Client
	sqs    *sqsServer
	client *sqs.Client
	worker *ingest.Worker

	mu       sync.Mutex
	landed   map[string]time.Time
	ready    map[string]time.Duration // key → lands → answerable
	readyErr error
	changed  chan struct{}
}

func newFreshBench(ctx context.Context, workers int) (*freshBench, error) {
	tmp, err := os.MkdirTemp("", "opsbot-bench-freshness-")
	if err != nil {
		return nil, err
	}
	f := &freshBench{tmp: tmp, stamp: time.Now().UTC().Format("2006-01-02-15"), landed: map[string]time.Time{}, ready: map[string]time.Duration{}, changed: make(chan struct{}, 1)}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if os.Getenv(k) == "" {
			os.Setenv(k, "opsbot-bench")
		}
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	f.gate = &heldGet{h: gofakes3.New(s3mem.New()).Server(), started: make(chan struct{}), released: make(chan struct{})}
	f.s3srv = httptest.NewServer(f.gate)
	f.sqs = startSQS()
	f.sqs.onDelete = f.deleted
	cfg, err := ingest.LoadAWS(ctx)
	if err != nil {
		return f, err
	}
	f.s3 = ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: f.s3srv.URL})
	qurl, endpoint, err := ingest.ParseSQSURL("sqs://" + f.sqs.URL)
	if err != nil {
		return f, err
	}
	f.client = ingest.NewSQSClient(cfg, endpoint)
	if _, err := f.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("edge-logs")}); err != nil {
		return f, err
	}
	if f.w, err = chdb.Open(filepath.Join(tmp, "data")); err != nil {
		return f, err
	}
	if _, err := sql.Migrate(ctx, f.w); err != nil {
		return f, err
	}
	f.worker, err = ingest.New(ingest.Options{Warehouse: f.w, Source: &ingest.S3{Client: f.s3},
		Queue:      &ingest.SQS{Client: f.client, URL: qurl, Visibility: 30 * time.Second, Wait: 20 * time.Second},
		Visibility: 30 * time.Second, Workers: workers, Log: io.Discard})
	return f, err
}

func (f *freshBench) close() {
	f.gate.release()
	if f.w != nil {
		f.w.Close()
	}
	f.sqs.close()
	f.s3srv.Close()
	os.RemoveAll(f.tmp)
}

func (f *freshBench) key(i int) string {
	return fmt.Sprintf("cloudfront/E2OPSBOTBENCH.%s.%04d.gz", f.stamp, i)
}

// freshObjects generates n gzipped CloudFront objects of lines each.
func freshObjects(n, lines int) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "opsbot-bench-freshness-logs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	objs, err := loggen.WriteObjects(dir, loggen.Options{Start: time.Now().UTC().Add(-time.Hour), Lines: n * lines, Seed: 5}, n)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, o := range objs {
		b, err := os.ReadFile(o.Path)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// land puts an object and sends the notification S3 would.
func (f *freshBench) land(ctx context.Context, key string, body []byte) error {
	out, err := f.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge-logs"), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	f.mu.Lock()
	f.landed[key] = time.Now()
	f.mu.Unlock()
	note := fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventTime":%q,"eventName":"ObjectCreated:Put",`+
		`"s3":{"bucket":{"name":"edge-logs"},"object":{"key":%q,"size":%d,"eTag":%q}}}]}`,
		time.Now().UTC().Format(time.RFC3339Nano), key, len(body), strings.Trim(aws.ToString(out.ETag), `"`))
	_, err = f.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.sqs.URL), MessageBody: aws.String(note)})
	return err
}

// deleted runs as the worker deletes a message, which it does once the
// object's rows are committed and recorded: they are answerable by then
// (answerable checks it after the run, not here, so as not to slow the
// worker).
func (f *freshBench) deleted(body string) {
	t := time.Now()
	objs, err := ingest.ParseS3Event([]byte(body))
	if err != nil || len(objs) != 1 {
		f.fail(fmt.Errorf("deleted message %q: %v", body, err))
		return
	}
	key := objs[0].Key
	f.mu.Lock()
	f.ready[key] = t.Sub(f.landed[key])
	f.mu.Unlock()
	f.signal()
}

// answerable checks that every object measured has rows in requests.
func (f *freshBench) answerable(ctx context.Context) error {
	res, err := f.w.Query(ctx, "SELECT uniqExact(source_object) FROM requests", nil)
	if err != nil {
		return err
	}
	f.mu.Lock()
	n := len(f.ready)
	f.mu.Unlock()
	if got := res.Rows[0][0].(uint64); got != uint64(n) {
		return fmt.Errorf("%d objects' messages were deleted but %d have rows", n, got)
	}
	return nil
}

func (f *freshBench) fail(err error) {
	f.mu.Lock()
	f.readyErr = errors.Join(f.readyErr, err)
	f.mu.Unlock()
	f.signal()
}

func (f *freshBench) signal() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// waitAll waits for the n objects after the slow one and returns how long
// each took.
func (f *freshBench) waitAll(ctx context.Context, n int) ([]time.Duration, error) {
	var out []time.Duration
	err := f.waitFor(ctx, func() bool {
		out = out[:0]
		for i := 1; i <= n; i++ {
			if d, ok := f.ready[f.key(i)]; ok {
				out = append(out, d)
			}
		}
		return len(out) == n
	})
	return out, err
}

func (f *freshBench) waitKey(ctx context.Context, key string) (time.Duration, error) {
	var d time.Duration
	err := f.waitFor(ctx, func() bool {
		var ok bool
		d, ok = f.ready[key]
		return ok
	})
	return d, err
}

func (f *freshBench) waitFor(ctx context.Context, cond func() bool) error {
	for {
		f.mu.Lock()
		ok, err := cond(), f.readyErr
		f.mu.Unlock()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-f.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func report(others []time.Duration, slow time.Duration, held bool) error {
	slices.Sort(others)
	q := func(p float64) time.Duration { return others[min(len(others)-1, int(p*float64(len(others))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	what := "one slow object held"
	if !held {
		what = "reference: nothing held"
	}
	fmt.Printf("freshness over SQS, %s: object lands → answerable\n", what)
	fmt.Printf("  others (%d objects):  p50 %s  p95 %s  max %s\n", len(others), ms(q(0.50)), ms(q(0.95)), ms(others[len(others)-1]))
	if held {
		fmt.Printf("  the slow object:      %s (held until the others were answerable, then released)\n", ms(slow))
	}
	if p95 := q(0.95); p95 >= time.Second {
		return fmt.Errorf("the p95 of the others is %s, not under 1 s (%s)", ms(p95), what)
	}
	fmt.Printf("  the p95 of the others stays under 1 s (%s)\n", what)
	return nil
}

// heldGet sits in front of the S3 server and holds the GETs of one path
// until released.
type heldGet struct {
	h        http.Handler
	mu       sync.Mutex
	path     string
	started  chan struct{}
	once     sync.Once
	released chan struct{}
	rel      sync.Once
}

func (g *heldGet) hold(path string) {
	g.mu.Lock()
	g.path = path
	g.mu.Unlock()
}

func (g *heldGet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	held := r.Method == http.MethodGet && r.URL.Path == g.path
	g.mu.Unlock()
	if held {
		g.once.Do(func() { close(g.started) })
		select {
		case <-g.released:
		case <-r.Context().Done():
			return
		}
	}
	g.h.ServeHTTP(w, r)
}

// wait waits for the held GET to arrive.
func (g *heldGet) wait(ctx context.Context) error {
	g.mu.Lock()
	held := g.path != ""
	g.mu.Unlock()
	if !held {
		return nil
	}
	select {
	case <-g.started:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *heldGet) release() { g.rel.Do(func() { close(g.released) }) }
