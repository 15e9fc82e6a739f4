package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
)

func TestParseS3Event(t *testing.T) {
	direct := `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","eventTime":"2026-11-22T10:05:00.000Z",
		"s3":{"bucket":{"name":"edge-logs"},"object":{"key":"cloudfront/E2AB.2026-11-22-10.a1b2+c%C3%A9.gz","size":1234,"eTag":"0123abcd-2"}}},
		{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"edge-logs"},"object":{"key":"gone.gz"}}}]}`
	objs, err := ingest.ParseS3Event([]byte(direct))
	if err != nil || len(objs) != 1 {
		t.Fatalf("got %v, %v", objs, err)
	}
	o := objs[0]
	if o.Bucket != "edge-logs" || o.Key != "cloudfront/E2AB.2026-11-22-10.a1b2 cé.gz" || o.Size != 1234 || o.ETag != "0123abcd-2" ||
		!o.Modified.Equal(time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)) {
		t.Errorf("object = %+v", o)
	}
	sns := `{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":` + quote(direct) + `}`
	if objs, err := ingest.ParseS3Event([]byte(sns)); err != nil || len(objs) != 1 || objs[0].Key != o.Key {
		t.Errorf("through SNS: %v, %v", objs, err)
	}
	if objs, err := ingest.ParseS3Event([]byte(`{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"edge-logs"}`)); err != nil || len(objs) != 0 {
		t.Errorf("test event: %v, %v", objs, err)
	}
	for _, bad := range []string{`not json`, `{"hello":"world"}`} {
		if _, err := ingest.ParseS3Event([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, c := range []byte(s) {
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

func TestObjectTime(t *testing.T) {
	mod := time.Date(2026, 11, 23, 1, 2, 3, 0, time.UTC)
	for key, want := range map[string]time.Time{
		"cloudfront/E2AB.2026-11-22-10.a1b2c3d4.gz": time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		"AWSLogs/1/elasticloadbalancing/us-east-1/2026/11/22/1_elasticloadbalancing_us-east-1_app.x.y_20261122T1005Z_10.0.0.1_abc.log.gz": time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC),
		"logpush/20261122/20261122T101500Z_20261122T102000Z_abc.log.gz":                                                                   time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC),
		"fastly/20261122/part-0001.log": time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		"misc/access.log":               mod,
	} {
		if got := ingest.ObjectTime(ingest.Object{Key: key, Modified: mod}); !got.Equal(want) {
			t.Errorf("%s: %v, want %v", key, got, want)
		}
	}
}

func TestSourceURLs(t *testing.T) {
	if b, p, err := ingest.ParseS3URL("s3://edge-logs/cloudfront/"); err != nil || b != "edge-logs" || p != "cloudfront/" {
		t.Errorf("s3: %q %q %v", b, p, err)
	}
	if u, e, err := ingest.ParseSQSURL("sqs://sqs.eu-west-1.amazonaws.com/123456789012/edge-logs"); err != nil ||
		u != "https://sqs.eu-west-1.amazonaws.com/123456789012/edge-logs" || e != "https://sqs.eu-west-1.amazonaws.com" {
		t.Errorf("sqs: %q %q %v", u, e, err)
	}
	for _, bad := range []string{"s3://", "sqs://", "ftp://x/y", "/no/such/folder"} {
		if _, _, err := ingest.From(context.Background(), bad, "", time.Minute); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
