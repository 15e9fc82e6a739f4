package clitest

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/loggen"
)

// awsEnv is the environment the subprocess and this one reach S3 with.
func awsEnv(t *testing.T) []string {
	env := []string{
		"AWS_ACCESS_KEY_ID=AKIDOPSBOTTEST", "AWS_SECRET_ACCESS_KEY=opsbot-test-secret", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "none"),
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return env
}

// loopbackS3 serves objects from memory on loopback and uploads dir's
// files under prefix through the AWS SDK.
func loopbackS3(t *testing.T, bucket, prefix, dir string) string {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	cfg, err := ingest.LoadAWS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: srv.URL})
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + e.Name()), Body: f})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return srv.URL
}

// TestIngestFromS3AndFolderLoadsEveryLineOnce is the done-when:
// every line of every object, once, however often it runs.
func TestIngestFromS3AndFolderLoadsEveryLineOnce(t *testing.T) {
	env := awsEnv(t)
	data, logs := t.TempDir(), t.TempDir()
	o := loggen.Options{Start: yesterday(), Lines: 30_000, Seed: 9}
	if _, err := loggen.WriteObjects(logs, o, 5); err != nil {
		t.Fatal(err)
	}
	want := byStatus(loggen.Generate(o))
	url := loopbackS3(t, "edge-logs", "cloudfront/", logs)
	loopbackDecoy(t, url)

	s3args := []string{"--data", data, "ingest", "--from", "s3://edge-logs/cloudfront/", "--once", "--no-progress"}
	for i, extra := range [][]string{{"--s3-endpoint", url}, nil} {
		runEnv := env
		if extra == nil { // the SDK's own variable instead of the flag
			runEnv = append(runEnv, "AWS_ENDPOINT_URL_S3="+url)
		}
		log := runOpsbot(t, runEnv, append(s3args, extra...)...)
		loaded := "5 objects loaded"
		if i > 0 {
			loaded = "0 objects loaded"
		}
		if !strings.Contains(log, loaded) {
			t.Errorf("run %d: log lacks %q:\n%s", i+1, loaded, log)
		}
		got, dups := counts(t, data, "cloudfront/%")
		sameCounts(t, "from S3", got, want)
		if dups != 0 {
			t.Errorf("run %d: %d lines stored twice", i+1, dups)
		}
	}
	if got, _ := counts(t, data, "decoy/%"); len(got) != 0 {
		t.Errorf("objects outside the prefix were loaded: %v", got)
	}

	dirArgs := []string{"--data", data, "ingest", "--from", logs, "--once", "--no-progress"}
	for i := 0; i < 2; i++ {
		runOpsbot(t, env, dirArgs...)
		got, dups := counts(t, data, "E2OPSBOTDEMO.%")
		sameCounts(t, "from a folder", got, want)
		if dups != 0 {
			t.Errorf("folder run %d: %d lines stored twice", i+1, dups)
		}
	}
}

// loopbackDecoy puts an object beside the prefix, which must not load.
func loopbackDecoy(t *testing.T, url string) {
	cfg, _ := ingest.LoadAWS(context.Background())
	c := ingest.NewS3Client(cfg, ingest.AWSOptions{Endpoint: url})
	body := "#Version: 1.0\n#Fields: " + loggen.CloudFrontFields + "\n"
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("edge-logs"),
		Key: aws.String("decoy/E2DECOY.2026-11-22-10.00000000"), Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}
