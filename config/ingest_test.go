package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIngestDefaults(t *testing.T) {
	c := Default().Ingest
	if c.Interval != time.Minute || c.Lookback != 48*time.Hour || c.Workers != 2 || c.BatchRows != 65536 ||
		c.MaxAttempts != 5 || c.RetryBackoff != 2*time.Second || c.VisibilityTimeout != 5*time.Minute || c.From != "" ||
		c.MaxLineBytes != 1<<20 || c.MaxExpansion != 1000 || c.MaxRejectLines != 10000 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestIngestGood(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "ingest_good.yaml"), true)
	if err != nil {
		t.Fatal(err)
	}
	i := c.Ingest
	if i.From != "s3://edge-logs/cloudfront/" || i.Format != "cloudfront" || i.S3Endpoint != "http://127.0.0.1:9000" ||
		i.Interval != 30*time.Second || i.Lookback != 72*time.Hour || i.Workers != 3 || i.BatchRows != 100000 ||
		i.MaxAttempts != 7 || i.RetryBackoff != 5*time.Second || i.VisibilityTimeout != 10*time.Minute ||
		i.MaxLineBytes != 65536 || i.MaxExpansion != 200 || i.MaxRejectLines != 0 {
		t.Errorf("loaded = %+v", i)
	}
}

func TestIngestBad(t *testing.T) {
	for file, want := range map[string]string{
		"bad_from.yaml":             `ingest.from: unknown source "ftp://logs.example.org/"`,
		"no_bucket.yaml":            `ingest.from: s3 source needs a bucket`,
		"no_queue.yaml":             `ingest.from: sqs source needs a queue URL`,
		"bad_format.yaml":           `ingest.format: unknown format "w3c"`,
		"bad_endpoint.yaml":         `ingest.s3_endpoint: must be an http(s) URL`,
		"bad_interval.yaml":         `ingest.interval: must be at least 1s, got 10ms`,
		"bad_lookback.yaml":         `ingest.lookback: must be at least 1h`,
		"bad_workers.yaml":          `ingest.workers: must be between 1 and 64, got 0`,
		"bad_batch_rows.yaml":       `ingest.batch_rows: must be between 1000 and 1048576, got 10`,
		"bad_insert_rows.yaml":      `ingest.insert_rows: must be 0 (no pooling) or between batch_rows (65536) and 1048576, got 5000`,
		"bad_max_attempts.yaml":     `ingest.max_attempts: must be at least 1, got 0`,
		"bad_retry_backoff.yaml":    `ingest.retry_backoff: must be positive, got -1s`,
		"bad_visibility.yaml":       `ingest.visibility_timeout: must be between 10s and 12h`,
		"unknown_key.yaml":          "line 2: ingest.frmo: unknown key (did you mean from?); ingest allows from, format, s3_endpoint",
		"bad_max_line_bytes.yaml":   `ingest.max_line_bytes: must be between 4096 and 67108864 (64 MiB), got 100`,
		"bad_max_expansion.yaml":    `ingest.max_expansion: must be between 10 and 1000000`,
		"bad_max_reject_lines.yaml": `ingest.max_reject_lines: must be between 0 (store none, count all) and 10000000, got -1`,
	} {
		_, err := Load(filepath.Join("testdata", "ingest", file), true)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to contain %q", file, err, want)
		}
	}
}
