package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
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
					Once: true, MaxAttempts: maxAttempts, Backoff: 40 * time.Second, BatchRows: 4096, Workers: 2, Clock: clocktest.Funcs{NowFunc: clock}})
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
		Once: true, Visibility: 2 * time.Second, Clock: clocktest.Funcs{NowFunc: clock}})
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

func TestSQSLeavesWhatIsNoS3NotificationLoggedOnce(t *testing.T) {
	w := fresh(t)
	warehousetest.Truncate(t, w, "ingest_messages")
	s3f := newFakeS3(t, "edge-logs")
	q := newFakeSQS(t)
	for id, body := range notS3 {
		q.send(id, body)
	}
	// Beside them, what S3 does send: every one is loaded and deleted.
	lines := loggen.Generate(loggen.Options{Start: day, Lines: 900, Seed: 7})
	keys := []string{"cloudfront/E2OPSBOTDEMO.2026-11-22-10.a b+c.gz", "cloudfront/E2OPSBOTDEMO.2026-11-22-11.x+y z%41.gz", "cloudfront/E2OPSBOTDEMO.2026-11-22-12.sns.gz"}
	var etags []string
	for i, key := range keys {
		body := gz(t, lines[i*300:(i+1)*300])
		etags = append(etags, s3f.put(t, "edge-logs", key, body))
	}
	q.send("s3", s3Event("edge-logs", keys[0], etags[0], 1)) // s3Event URL-encodes the key
	q.send("bridge", bridgeEvent("edge-logs", keys[1], etags[1], 1))
	q.send("sns-s3", snsWrap(s3Event("edge-logs", keys[2], etags[2], 1)))
	q.send("test", `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"edge-logs"}`)

	var log logLines
	m := ingest.NewMetrics()
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.S3{Client: s3f.Client}, Queue: sqsQueue(t, q, 30*time.Second),
		Once: true, Workers: 2, Log: &log, Metrics: m, Clock: clocktest.Funcs{NowFunc: clock}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // each left message comes back once its visibility timeout passes
		if err := wk.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		q.expire()
	}
	sameCounts(t, "loaded", stored(t, w), byStatus(lines))
	for _, id := range []string{"s3", "bridge", "sns-s3", "test"} {
		if !q.isDeleted(id) {
			t.Errorf("S3 message %s was not deleted", id)
		}
	}
	for id := range notS3 {
		if q.isDeleted(id) || len(q.extensions(id)) > 0 || q.receives(id) != 2 {
			t.Errorf("message %s: deleted %v, visibility extended %v, received %d times; want left alone, received twice",
				id, q.isDeleted(id), q.extensions(id), q.receives(id))
		}
		if n := strings.Count(log.String(), "message "+id+" left on sqs://"); n != 1 {
			t.Errorf("message %s logged %d times as left, want once:\n%s", id, n, log.String())
		}
	}
	if n := wk.Summary().Left.Load(); n != int64(len(notS3)) {
		t.Errorf("summary: %d messages left, want %d", n, len(notS3))
	}
	body := scrape(t, m)
	for _, want := range []string{
		fmt.Sprintf(`opsbot_ingest_messages_left_total{reason="not_json"} %d`+"\n", len(notJSON)),
		fmt.Sprintf(`opsbot_ingest_messages_left_total{reason="not_s3"} %d`+"\n", len(notS3)-len(notJSON)),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	r, err := ingest.Status(context.Background(), w, clock())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r.Write(&out)
	if want := fmt.Sprintf("messages:     %d left for the dead-letter queue", len(notS3)); !strings.Contains(out.String(), want) {
		t.Errorf("ingest status lacks %q:\n%s", want, out.String())
	}
}

// scrape reads the metrics as /metrics serves them.
func scrape(t *testing.T, m *ingest.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// runUntil runs wk (watching the queue) until the returned stop is called.
func runUntil(t *testing.T, wk *ingest.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := wk.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	return func() { cancel(); <-done }
}

// deletions reports each deleted message id on a channel of its own.
func deletions(q *fakeSQS, ids ...string) map[string]chan struct{} {
	chs := map[string]chan struct{}{}
	for _, id := range ids {
		chs[id] = make(chan struct{})
	}
	prev := q.onDelete
	q.onDelete = func(id string) {
		if prev != nil {
			prev(id)
		}
		if ch, ok := chs[id]; ok {
			close(ch)
		}
	}
	return chs
}

func TestSQSSlowObjectHoldsUpOnlyItself(t *testing.T) {
	w := fresh(t)
	s3f := newFakeS3(t, "edge-logs")
	q := newFakeSQS(t)
	lines := loggen.Generate(loggen.Options{Start: day, Lines: 1000, Seed: 17})
	slowKey, fastKey := "cloudfront/E2OPSBOTDEMO.2026-11-22-10.5105.gz", "cloudfront/E2OPSBOTDEMO.2026-11-22-11.fa57.gz"
	slowBody, fastBody := gz(t, lines[:500]), gz(t, lines[500:])
	slowETag, fastETag := s3f.put(t, "edge-logs", slowKey, slowBody), s3f.put(t, "edge-logs", fastKey, fastBody)
	started, release := s3f.hold("edge-logs", slowKey)
	defer release()
	deleted := deletions(q, "slow", "fast")
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.S3{Client: s3f.Client}, Queue: sqsQueue(t, q, 30*time.Second),
		Workers: 2, Visibility: 30 * time.Second, Clock: clocktest.Funcs{NowFunc: clock}})
	if err != nil {
		t.Fatal(err)
	}
	stop := runUntil(t, wk)
	defer stop()

	q.send("slow", s3Event("edge-logs", slowKey, slowETag, len(slowBody)))
	await(t, started, "the slow object's download")
	q.send("fast", s3Event("edge-logs", fastKey, fastETag, len(fastBody))) // announced after the slow one
	await(t, deleted["fast"], "the fast object's message to be deleted while the slow one is held")
	if st, _ := manifestStatus(t, w, fastKey); st != ingest.StatusDone {
		t.Errorf("fast object %q in the manifest when its message was deleted, want done", st)
	}
	if q.isDeleted("slow") {
		t.Error("the slow message was deleted while its object was still held")
	}
	release()
	await(t, deleted["slow"], "the slow object's message to be deleted once released")
	stop()
	sameCounts(t, "both loaded", stored(t, w), byStatus(lines))
}

func TestSQSDuplicateNotificationsLoadOnce(t *testing.T) {
	w := fresh(t)
	s3f := newFakeS3(t, "edge-logs")
	q := newFakeSQS(t)
	lines := loggen.Generate(loggen.Options{Start: day, Lines: 1000, Seed: 23})
	aKey, bKey := "cloudfront/E2OPSBOTDEMO.2026-11-22-10.aaaa.gz", "cloudfront/E2OPSBOTDEMO.2026-11-22-11.bbbb.gz"
	aBody, bBody := gz(t, lines[:600]), gz(t, lines[600:])
	aETag, bETag := s3f.put(t, "edge-logs", aKey, aBody), s3f.put(t, "edge-logs", bKey, bBody)
	started, release := s3f.hold("edge-logs", aKey)
	defer release()
	keyOf := map[string]string{"a1": aKey, "a2": aKey, "a3": aKey, "b1": bKey}
	q.onDelete = func(id string) { // a duplicate goes only once the one load is recorded
		if st, _ := manifestStatus(t, w, keyOf[id]); st != ingest.StatusDone {
			t.Errorf("message %s deleted while %s is %q in the manifest", id, keyOf[id], st)
		}
	}
	deleted := deletions(q, "a1", "a2", "a3", "b1")
	// One batch: S3 delivered a's notification twice.
	q.send("a1", s3Event("edge-logs", aKey, aETag, len(aBody)))
	q.send("a2", s3Event("edge-logs", aKey, aETag, len(aBody)))
	q.send("b1", s3Event("edge-logs", bKey, bETag, len(bBody)))
	var log logLines
	m := ingest.NewMetrics()
	wk, err := ingest.New(ingest.Options{Warehouse: w, Source: &ingest.S3{Client: s3f.Client}, Queue: sqsQueue(t, q, 30*time.Second),
		Workers: 2, Visibility: 30 * time.Second, Log: &log, Metrics: m, Clock: clocktest.Funcs{NowFunc: clock}})
	if err != nil {
		t.Fatal(err)
	}
	stop := runUntil(t, wk)
	defer stop()
	await(t, started, "a's download")
	await(t, deleted["b1"], "b's message to be deleted")
	q.send("a3", s3Event("edge-logs", aKey, aETag, len(aBody))) // a third time, while a is in flight
	await(t, log.seen("message a3 names s3://edge-logs/"+aKey+" again"), "a3 to be taken as a duplicate")
	if q.isDeleted("a2") || q.isDeleted("a3") {
		t.Error("a duplicate was deleted before the one load of its object was done")
	}
	release()
	for _, id := range []string{"a1", "a2", "a3"} {
		await(t, deleted[id], "message "+id+" to be deleted")
	}
	stop()
	if n := s3f.getsOf("edge-logs", aKey); n != 1 {
		t.Errorf("a was downloaded %d times, want once", n)
	}
	s := wk.Summary()
	if s.Loaded.Load() != 2 || s.Duplicates.Load() != 2 {
		t.Errorf("summary: %d loaded, %d duplicates; want 2 loaded, 2 duplicates", s.Loaded.Load(), s.Duplicates.Load())
	}
	if !strings.Contains(log.String(), ": 2 duplicate notifications (loaded once)") {
		t.Errorf("the run's report lacks the duplicates:\n%s", log.String())
	}
	if n := strings.Count(log.String(), "loaded s3://edge-logs/"+aKey); n != 1 {
		t.Errorf("a logged as loaded %d times, want once:\n%s", n, log.String())
	}
	body := scrape(t, m)
	for _, want := range []string{"opsbot_ingest_duplicate_notifications_total 2\n", `opsbot_ingest_objects_total{status="done"} 2` + "\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	sameCounts(t, "loaded once", stored(t, w), byStatus(lines))
}
