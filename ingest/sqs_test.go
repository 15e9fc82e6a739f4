package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/loggen"
	"github.com/opsbot/opsbot/warehouse"
)

func sqsQueue(t *testing.T, f *fakeSQS, vis time.Duration) *ingest.SQS {
	cfg, err := ingest.LoadAWS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	qurl, endpoint, err := ingest.ParseSQSURL("sqs://" + f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &ingest.SQS{Client: ingest.NewSQSClient(cfg, endpoint), URL: qurl, Visibility: vis, Wait: time.Second}
}

// manifestStatus is an object's status as ingest_objects records it.
func manifestStatus(t *testing.T, w warehouse.Warehouse, key string) (string, uint64) {
	res, err := w.Query(context.Background(), "SELECT status, attempts FROM ingest_objects FINAL WHERE key = {k:String}", opsbot.Params{"k": key})
	if err != nil {
		t.Error(err)
		return "", 0
	}
	if len(res.Rows) == 0 {
		return "", 0
	}
	return res.Rows[0][0].(string), res.Rows[0][1].(uint64)
}

func TestSQSCompetingConsumersDeleteOnlyRecordedObjects(t *testing.T) {
	w := fresh(t)
	s3f := newFakeS3(t, "edge-logs")
	q := newFakeSQS(t)
	dir := t.TempDir()
	lines := traffic(t, dir, 9_000, 3, 31)
	keyOf := map[string]string{}
	ents, _ := os.ReadDir(dir)
	for i, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		key := "cloudfront/" + e.Name()
		etag := s3f.put(t, "edge-logs", key, b)
		id := "m" + string(rune('1'+i))
		keyOf[id] = key
		q.send(id, s3Event("edge-logs", key, etag, len(b)))
	}
	q.send("m1-again", s3Event("edge-logs", keyOf["m1"], strings.Trim(mustETag(t, s3f, keyOf["m1"]), `"`), 1)) // S3 delivers at least once
	keyOf["m1-again"] = keyOf["m1"]
	broken := gz(t, loggen.Generate(loggen.Options{Start: day, Lines: 2000, Seed: 99}))
	brokenKey := "cloudfront/E2OPSBOTDEMO.2026-11-22-10.deadbeef.gz"
	etag := s3f.put(t, "edge-logs", brokenKey, broken[:len(broken)/2]) // truncated gzip
	q.send("broken", s3Event("edge-logs", brokenKey, etag, len(broken)/2))
	keyOf["broken"] = brokenKey
	q.send("test", `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"edge-logs","RequestId":"R","HostId":"H"}`)
	q.send("garbage", "this is not an S3 event")

	q.onDelete = func(id string) { // a message goes only once its object is recorded
		if key, ok := keyOf[id]; ok {
			if st, _ := manifestStatus(t, w, key); st != ingest.StatusDone && st != ingest.StatusFailed {
				t.Errorf("message %s deleted while %s is %q in the manifest", id, key, st)
			}
		}
	}
	consume := func(maxAttempts int) {
		var wg sync.WaitGroup
		for range 2 { // competing consumers
			wg.Add(1)
			go func() {
				defer wg.Done()
				wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.S3{Client: s3f.Client}, Queue: sqsQueue(t, q, 30*time.Second),
					Once: true, MaxAttempts: maxAttempts, Backoff: 40 * time.Second, BatchRows: 4096, Workers: 2, Now: clock})
				if err != nil {
					t.Error(err)
					return
				}
				if err := wk.Run(context.Background()); err != nil && !strings.Contains(err.Error(), "failed") {
					t.Errorf("run: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	consume(2)
	sameCounts(t, "after the queue drained", stored(t, w), byStatus(lines))
	for _, id := range []string{"m1", "m2", "m3", "m1-again", "test"} {
		if !q.isDeleted(id) {
			t.Errorf("message %s was not deleted", id)
		}
	}
	if q.isDeleted("garbage") {
		t.Error("a message that is no S3 event was deleted")
	}
	if q.isDeleted("broken") {
		t.Error("the truncated object's message was deleted after one of two attempts")
	}
	if ext := q.extensions("broken"); len(ext) == 0 || ext[len(ext)-1] != 40 {
		t.Errorf("the failed message's visibility was set to %v, want a 40s backoff", ext)
	}
	if st, n := manifestStatus(t, w, brokenKey); st != ingest.StatusFailed || n != 1 {
		t.Errorf("truncated object: status %q after %d attempts, want failed after 1", st, n)
	}

	q.expire() // the backoff passes: the second and last attempt
	consume(2)
	if !q.isDeleted("broken") {
		t.Error("the object failed for good and is recorded, but its message stayed")
	}
	if q.isDeleted("garbage") {
		t.Error("a message that is no S3 event was deleted")
	}
	if st, n := manifestStatus(t, w, brokenKey); st != ingest.StatusFailed || n != 2 {
		t.Errorf("truncated object: status %q after %d attempts, want failed after 2", st, n)
	}
	sameCounts(t, "at the end", stored(t, w), byStatus(lines))
}

func mustETag(t *testing.T, f *fakeS3, key string) string {
	var etag string
	err := (&ingest.S3{Client: f.Client, Bucket: "edge-logs", Prefix: key}).List(context.Background(), func(o ingest.Object) error {
		etag = o.ETag
		return nil
	})
	if err != nil || etag == "" {
		t.Fatalf("etag of %s: %v", key, err)
	}
	return etag
}

// gated holds an object's download after its first bytes until opened.
type gated struct {
	ingest.Source
	open chan struct{}
}

func (g gated) Open(ctx context.Context, o ingest.Object) (io.ReadCloser, error) {
	rc, err := g.Source.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	return &gatedReader{rc: rc, open: g.open}, nil
}

type gatedReader struct {
	rc   io.ReadCloser
	open chan struct{}
	n    int
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.n > 0 {
		<-g.open
	}
	n, err := g.rc.Read(p[:min(len(p), 512)])
	g.n += n
	return n, err
}

func (g *gatedReader) Close() error { return g.rc.Close() }

func TestSQSExtendsVisibilityWhileReading(t *testing.T) {
	w := fresh(t)
	s3f := newFakeS3(t, "edge-logs")
	q := newFakeSQS(t)
	lines := loggen.Generate(loggen.Options{Start: day, Lines: 3000, Seed: 41})
	body := gz(t, lines)
	key := "cloudfront/E2OPSBOTDEMO.2026-11-22-11.0000abcd.gz"
	q.send("big", s3Event("edge-logs", key, s3f.put(t, "edge-logs", key, body), len(body)))
	open := make(chan struct{})
	var once sync.Once
	q.onExtend = func(id string, secs int) { once.Do(func() { close(open) }) } // reading resumes only once extended
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: gated{&ingest.S3{Client: s3f.Client}, open}, Queue: sqsQueue(t, q, 2*time.Second),
		Once: true, Visibility: 2 * time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ext := q.extensions("big"); len(ext) == 0 || ext[0] != 2 {
		t.Errorf("visibility extensions %v, want 2s while reading", ext)
	}
	if !q.isDeleted("big") {
		t.Error("message not deleted after its object was loaded")
	}
	sameCounts(t, "loaded", stored(t, w), byStatus(lines))
}

// --since/--until bound a listing; with a queue they are refused, not
// silently ignored.
func TestSQSRefusesAWindow(t *testing.T) {
	q := newFakeSQS(t)
	_, err := ingest.New(ingest.Options{Warehouse: fresh(t), Source: &ingest.S3{}, Queue: sqsQueue(t, q, time.Minute), Since: day})
	if err == nil || !strings.Contains(err.Error(), "--since/--until bound a listing") {
		t.Fatalf("err = %v, want the window refused", err)
	}
}

// Bodies other AWS services put on SQS queues: none is an S3 event
// notification, and none may be deleted as if it were one.
var notS3 = map[string]string{
	"autoscaling": `{"AccountId":"123456789012","RequestId":"r1","AutoScalingGroupARN":"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x","AutoScalingGroupName":"web",` +
		`"Service":"AWS Auto Scaling","Event":"autoscaling:EC2_INSTANCE_LAUNCH","EC2InstanceId":"i-0abc"}`,
	"autoscaling-test": `{"AccountId":"123456789012","RequestId":"r2","AutoScalingGroupARN":"arn","AutoScalingGroupName":"web","Service":"AWS Auto Scaling","Event":"autoscaling:TEST_NOTIFICATION"}`,
	"dynamodb": `{"Records":[{"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",` +
		`"dynamodb":{"Keys":{"Id":{"N":"101"}},"SequenceNumber":"111","SizeBytes":26,"StreamViewType":"KEYS_ONLY"}}]}`,
	"sns-text": `{"Type":"Notification","MessageId":"n1","TopicArn":"arn:aws:sns:us-east-1:123456789012:deploys","Subject":"deploy","Message":"deploy 42 finished","Timestamp":"2026-11-22T10:00:00.000Z"}`,
	"sns-alarm": `{"Type":"Notification","MessageId":"n2","TopicArn":"arn:aws:sns:us-east-1:123456789012:alarms","Subject":"ALARM",` +
		`"Message":"{\"AlarmName\":\"5xx\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"Threshold Crossed\",\"Trigger\":{\"MetricName\":\"5xxErrorRate\"}}"}`,
	"sns-subscribe":    `{"Type":"SubscriptionConfirmation","MessageId":"n3","Token":"t","TopicArn":"arn:aws:sns:us-east-1:123456789012:logs","Message":"You have chosen to subscribe","SubscribeURL":"https://sns.example/"}`,
	"bridge-alarm":     `{"version":"0","id":"e1","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":[],"detail":{"alarmName":"5xx","state":{"value":"ALARM"}}}`,
	"bridge-ec2":       `{"version":"0","id":"e2","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-0abc","state":"running"}}`,
	"records-empty":    `{"Records":[]}`,
	"no-shape":         `{"foo":1}`,
	"json-cut":         `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"`,
	"not-json":         `this is not an S3 event`,
	"s3-without-a-key": `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"edge-logs"},"object":{"size":1}}}]}`,
}

// notJSON are the notS3 bodies that are no JSON at all.
var notJSON = map[string]bool{"json-cut": true, "not-json": true, "sns-text": true}

func TestParseS3EventAcceptsOnlyS3(t *testing.T) {
	for name, body := range notS3 {
		objs, err := ingest.ParseS3Event([]byte(body))
		if err == nil {
			t.Errorf("%s: accepted as an S3 notification naming %v", name, objs)
			continue
		}
		if !strings.Contains(err.Error(), "not an S3 event notification") {
			t.Errorf("%s: error %q does not say it is no S3 event notification", name, err)
		}
	}
	ok := map[string]struct {
		body string
		want []ingest.Object
	}{
		"s3 put, key URL-encoded": {s3Event("edge-logs", "cloudfront/a b+c%.gz", "e1", 10), []ingest.Object{{Bucket: "edge-logs", Key: "cloudfront/a b+c%.gz", ETag: "e1", Size: 10}}},
		"s3 test event":           {`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"edge-logs"}`, nil},
		"s3 removal":              {`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"edge-logs"},"object":{"key":"a"}}}]}`, nil},
		"sns wrapping s3":         {snsWrap(s3Event("edge-logs", "cloudfront/x y.gz", "e2", 20)), []ingest.Object{{Bucket: "edge-logs", Key: "cloudfront/x y.gz", ETag: "e2", Size: 20}}},
		"eventbridge, key plain":  {bridgeEvent("edge-logs", "cloudfront/a+b%41 c.gz", "e3", 30), []ingest.Object{{Bucket: "edge-logs", Key: "cloudfront/a+b%41 c.gz", ETag: "e3", Size: 30}}},
		"eventbridge s3 deletion": {`{"version":"0","detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"edge-logs"},"object":{"key":"a"}}}`, nil},
	}
	for name, c := range ok {
		objs, err := ingest.ParseS3Event([]byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for i := range objs {
			objs[i].Modified = time.Time{}
		}
		if fmt.Sprint(objs) != fmt.Sprint(c.want) {
			t.Errorf("%s: objects %v, want %v", name, objs, c.want)
		}
	}
}

func snsWrap(body string) string {
	b, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "n", "TopicArn": "arn:aws:sns:us-east-1:123456789012:logs", "Message": body})
	return string(b)
}

// bridgeEvent is the EventBridge event S3 sends for one created object
// (its key is not URL-encoded).
func bridgeEvent(bucket, key, etag string, size int) string {
	b, _ := json.Marshal(map[string]any{"version": "0", "id": "e", "detail-type": "Object Created", "source": "aws.s3",
		"account": "123456789012", "time": "2026-11-22T10:05:00Z", "region": "us-east-1", "resources": []string{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{"version": "0", "bucket": map[string]string{"name": bucket},
			"object": map[string]any{"key": key, "size": size, "etag": etag, "sequencer": "0055AED6DCD90281E5"}, "reason": "PutObject"}})
	return string(b)
}
