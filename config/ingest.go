package config

import (
	"net/url"
	"strings"
	"time"
)

// Ingest is the `ingest:` section: where `opsbot serve` (and `opsbot
// ingest` without --from) reads CDN logs from, and how.
type Ingest struct {
	// From is the source: s3://BUCKET/PREFIX, sqs://QUEUE_URL or a local
	// folder. Empty: serve runs no ingest worker.
	From string `yaml:"from"`
	// Format forces one log format for every object (cloudfront, alb,
	// cloudflare, fastly, combined, cloudfront-v2-json,
	// cloudfront-v2-parquet); empty means detect per object.
	Format string `yaml:"format"`
	// S3Endpoint is an S3-compatible endpoint (path-style addressing). The
	// SDK's AWS_ENDPOINT_URL_S3 works too. Region and credentials come
	// from the AWS SDK's default chain.
	S3Endpoint string `yaml:"s3_endpoint"`
	// Interval between two listings when watching (default 1m).
	Interval time.Duration `yaml:"interval"`
	// Lookback is how far back (by delivery time) each re-listing checks
	// objects against the manifest after the first pass (default 48h:
	// CloudFront delivers up to 24 hours late).
	Lookback time.Duration `yaml:"lookback"`
	// Workers read, decompress and parse this many objects at once
	// (default 2).
	Workers int `yaml:"workers"`
	// BatchRows is the number of rows per insert when an object is read in
	// chunks (default 65536).
	BatchRows int `yaml:"batch_rows"`
	// InsertRows pools objects smaller than batch_rows (CloudFront writes
	// many small ones) into inserts of up to this many rows, one part each,
	// instead of one part per object (default 131072; 0 turns pooling off).
	InsertRows int `yaml:"insert_rows"`
	// RequestIDs keeps the edge's request ids (x-edge-request-id, RayID…)
	// in request_id. They are random, about 40 bytes a row that no codec
	// shrinks: more than every other column together. Default false
	// (request_id is empty; source_object and source_line lead to the raw
	// line, which has it).
	RequestIDs bool `yaml:"request_ids"`
	// MaxAttempts tries a failing object this many times before reporting
	// it failed for good (default 5).
	MaxAttempts int `yaml:"max_attempts"`
	// RetryBackoff is the first wait before retrying a failed object; it
	// doubles up to 5m (default 2s).
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// VisibilityTimeout is how long an SQS message stays hidden while its
	// object is read; it is extended while reading goes on (default 5m).
	VisibilityTimeout time.Duration `yaml:"visibility_timeout"`
	// MaxLineBytes is the longest log line read (default 1048576). A
	// longer line is rejected as too long, with its line number, without
	// ever being held whole; reading goes on with the next line.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// MaxExpansion fails a gzip or zstd object that inflates to more than
	// this many bytes per stored byte, past its first 256 MiB: a
	// decompression bomb (default 1000; logs compress about 10:1, deflate
	// cannot exceed 1032:1, zstd bombs reach far more).
	MaxExpansion int `yaml:"max_expansion"`
	// MaxRejectLines is how many rejected lines of one object are stored
	// in ingest_rejects (default 10000; 0 stores none), with the text of
	// the object's first 1 MiB of them. The manifest's rejected column
	// counts every one of them.
	MaxRejectLines int `yaml:"max_reject_lines"`
}

func (c *Ingest) defaults() {
	c.Interval = time.Minute
	c.Lookback = 48 * time.Hour
	c.Workers = 2
	c.BatchRows = 65536
	c.InsertRows = 131072
	c.MaxAttempts = 5
	c.RetryBackoff = 2 * time.Second
	c.VisibilityTimeout = 5 * time.Minute
	c.MaxLineBytes = 1 << 20
	c.MaxExpansion = 1000
	c.MaxRejectLines = 10000
}

var ingestFormats = []string{"cloudfront", "cloudfront-v2-parquet", "cloudfront-v2-json", "cloudflare", "fastly", "alb", "combined"}

func (c *Ingest) validate() error {
	if err := c.validateFrom(); err != nil {
		return err
	}
	if c.Format != "" && !ingestHas(ingestFormats, c.Format) {
		return fieldErr("ingest.format", "unknown format %q (use one of %s, or leave empty to detect)", c.Format, strings.Join(ingestFormats, ", "))
	}
	if c.S3Endpoint != "" {
		if u, err := url.Parse(c.S3Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr("ingest.s3_endpoint", "must be an http(s) URL such as http://127.0.0.1:9000, got %q", c.S3Endpoint)
		}
	}
	return c.validateNumbers()
}

func (c *Ingest) validateFrom() error {
	switch {
	case strings.HasPrefix(c.From, "s3://"):
		if strings.TrimPrefix(c.From, "s3://") == "" || strings.HasPrefix(c.From, "s3:///") {
			return fieldErr("ingest.from", "s3 source needs a bucket: s3://BUCKET/PREFIX, got %q", c.From)
		}
	case strings.HasPrefix(c.From, "sqs://"):
		if strings.TrimPrefix(c.From, "sqs://") == "" {
			return fieldErr("ingest.from", "sqs source needs a queue URL: sqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got %q", c.From)
		}
	case strings.Contains(c.From, "://"):
		return fieldErr("ingest.from", "unknown source %q (use s3://BUCKET/PREFIX, sqs://QUEUE_URL or a folder)", c.From)
	}
	return nil
}

func (c *Ingest) validateNumbers() error {
	switch {
	case c.Interval < time.Second:
		return fieldErr("ingest.interval", "must be at least 1s, got %s", c.Interval)
	case c.Lookback < time.Hour:
		return fieldErr("ingest.lookback", "must be at least 1h (CloudFront delivers up to 24h late), got %s", c.Lookback)
	case c.Workers < 1 || c.Workers > 64:
		return fieldErr("ingest.workers", "must be between 1 and 64, got %d", c.Workers)
	case c.BatchRows < 1000 || c.BatchRows > 1<<20:
		return fieldErr("ingest.batch_rows", "must be between 1000 and 1048576, got %d", c.BatchRows)
	case c.InsertRows != 0 && (c.InsertRows < c.BatchRows || c.InsertRows > 1<<20):
		return fieldErr("ingest.insert_rows", "must be 0 (no pooling) or between batch_rows (%d) and 1048576, got %d", c.BatchRows, c.InsertRows)
	case c.MaxAttempts < 1:
		return fieldErr("ingest.max_attempts", "must be at least 1, got %d", c.MaxAttempts)
	case c.RetryBackoff <= 0:
		return fieldErr("ingest.retry_backoff", "must be positive, got %s", c.RetryBackoff)
	case c.VisibilityTimeout < 10*time.Second || c.VisibilityTimeout > 12*time.Hour:
		return fieldErr("ingest.visibility_timeout", "must be between 10s and 12h (SQS's limit), got %s", c.VisibilityTimeout)
	}
	return c.validateBudgets()
}

func (c *Ingest) validateBudgets() error {
	switch {
	case c.MaxLineBytes < 4096 || c.MaxLineBytes > 64<<20:
		return fieldErr("ingest.max_line_bytes", "must be between 4096 and 67108864 (64 MiB), got %d", c.MaxLineBytes)
	case c.MaxExpansion < 10 || c.MaxExpansion > 1_000_000:
		return fieldErr("ingest.max_expansion", "must be between 10 and 1000000 (decompressed bytes per stored byte), got %d", c.MaxExpansion)
	case c.MaxRejectLines < 0 || c.MaxRejectLines > 10_000_000:
		return fieldErr("ingest.max_reject_lines", "must be between 0 (store none, count all) and 10000000, got %d", c.MaxRejectLines)
	}
	return nil
}

func ingestHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
