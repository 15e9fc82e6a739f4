package ingest_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSQS speaks SQS's JSON protocol (awsJson1_0, X-Amz-Target:
// AmazonSQS.Op) on loopback, with visibility timeouts, receipt handles and
// long polling (WaitTimeSeconds), and records what consumers did.
type fakeSQS struct {
	t   *testing.T
	srv *httptest.Server
	URL string // the queue URL

	mu        sync.Mutex
	msgs      []*sqsMsg
	deleted   map[string]bool           // message id → deleted
	extended  map[string][]int          // message id → visibility timeouts asked
	onDelete  func(id string)           // runs before a delete is accepted
	onExtend  func(id string, secs int) // runs on each ChangeMessageVisibility
	onReceive func(id string)           // runs as each message is handed out
	receipts  int
	arrived   chan struct{} // closed (and replaced) when a message may have become visible
}

type sqsMsg struct {
	id, body  string
	handle    string
	visibleAt time.Time
	received  int
}

func newFakeSQS(t *testing.T) *fakeSQS {
	f := &fakeSQS{t: t, deleted: map[string]bool{}, extended: map[string][]int{}, arrived: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.URL = f.srv.URL + "/000000000000/edge-logs"
	return f
}

func (f *fakeSQS) send(id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, &sqsMsg{id: id, body: body})
	f.wake()
}

// wake tells long polls to look again; call it with mu held.
func (f *fakeSQS) wake() {
	close(f.arrived)
	f.arrived = make(chan struct{})
}

func (f *fakeSQS) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0") {
		f.t.Errorf("fake sqs: unexpected request %s %s target=%q type=%q", r.Method, r.URL, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"))
		http.Error(w, "bad request", 400)
		return
	}
	var in struct {
		QueueUrl            string
		ReceiptHandle       string
		VisibilityTimeout   int
		MaxNumberOfMessages int
		WaitTimeSeconds     int
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.QueueUrl != f.URL {
		f.fail(w, "InvalidAddress", fmt.Sprintf("queue %q (%v)", in.QueueUrl, err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch op {
	case "ReceiveMessage":
		f.receive(w, r, in.VisibilityTimeout, in.MaxNumberOfMessages, in.WaitTimeSeconds)
	case "DeleteMessage":
		f.change(w, in.ReceiptHandle, -1)
	case "ChangeMessageVisibility":
		f.change(w, in.ReceiptHandle, in.VisibilityTimeout)
	default:
		f.fail(w, "UnsupportedOperation", op)
	}
}

func (f *fakeSQS) fail(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(400)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}

type sqsOut struct{ MessageId, ReceiptHandle, MD5OfBody, Body string }

// receive hands out up to max visible messages, waiting up to wait seconds
// for one (long polling) when none is visible.
func (f *fakeSQS) receive(w http.ResponseWriter, r *http.Request, vis, max, wait int) {
	deadline := time.NewTimer(time.Duration(wait) * time.Second)
	defer deadline.Stop()
	for {
		msgs, arrived := f.take(vis, max)
		if len(msgs) > 0 || wait == 0 {
			json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
			return
		}
		select {
		case <-arrived:
		case <-deadline.C:
			wait = 0
		case <-r.Context().Done():
			return
		}
	}
}

// take hides and returns up to max visible messages; arrived is closed
// when another may become visible.
func (f *fakeSQS) take(vis, max int) ([]sqsOut, <-chan struct{}) {
	f.mu.Lock()
	var msgs []sqsOut
	now := time.Now()
	for _, m := range f.msgs {
		if len(msgs) == max || f.deleted[m.id] || now.Before(m.visibleAt) {
			continue
		}
		f.receipts++
		m.received++
		m.handle = fmt.Sprintf("%s-receipt-%d", m.id, f.receipts)
		m.visibleAt = now.Add(time.Duration(vis) * time.Second)
		sum := md5.Sum([]byte(m.body))
		msgs = append(msgs, sqsOut{m.id, m.handle, hex.EncodeToString(sum[:]), m.body})
	}
	hook, arrived := f.onReceive, f.arrived
	f.mu.Unlock()
	for _, m := range msgs {
		if hook != nil {
			hook(m.MessageId)
		}
	}
	return msgs, arrived
}

// change deletes (vis < 0) or hides a message by its current receipt.
func (f *fakeSQS) change(w http.ResponseWriter, handle string, vis int) {
	f.mu.Lock()
	var m *sqsMsg
	for _, x := range f.msgs {
		if x.handle == handle && !f.deleted[x.id] {
			m = x
		}
	}
	hook, ext := f.onDelete, f.onExtend
	f.mu.Unlock()
	if m == nil {
		f.fail(w, "ReceiptHandleIsInvalid", handle)
		return
	}
	if vis < 0 && hook != nil {
		hook(m.id)
	}
	if vis >= 0 && ext != nil {
		ext(m.id, vis)
	}
	f.mu.Lock()
	if vis < 0 {
		f.deleted[m.id] = true
	} else {
		f.extended[m.id] = append(f.extended[m.id], vis)
		m.visibleAt = time.Now().Add(time.Duration(vis) * time.Second)
	}
	f.mu.Unlock()
	w.Write([]byte("{}"))
}

// s3Event is the body S3 sends for one created object; as S3 does, it
// URL-encodes the key (a space is +).
func s3Event(bucket, key, etag string, size int) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",`+
		`"eventTime":"2026-11-22T10:05:00.000Z","eventName":"ObjectCreated:Put",`+
		`"s3":{"s3SchemaVersion":"1.0","bucket":{"name":%q,"arn":"arn:aws:s3:::%s"},`+
		`"object":{"key":%q,"size":%d,"eTag":%q,"sequencer":"0055AED6DCD90281E5"}}}]}`,
		bucket, bucket, strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"), size, etag)
}

// expire makes every undeleted message visible again, as if its visibility
// timeout had passed.
func (f *fakeSQS) expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		m.visibleAt = time.Time{}
	}
	f.wake()
}

// receives is how many times a message was handed out.
func (f *fakeSQS) receives(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.id == id {
			return m.received
		}
	}
	return 0
}

func (f *fakeSQS) isDeleted(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.deleted[id]
}

func (f *fakeSQS) extensions(id string) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.extended[id]...)
}

// s3Gate sits in front of the fake S3: it counts the GETs of each object
// and holds those of chosen keys until the test releases them.
type s3Gate struct {
	h    http.Handler
	mu   sync.Mutex
	gets map[string]int           // "/bucket/key" → GETs
	held map[string]*heldDownload // "/bucket/key" → its hold
}

type heldDownload struct {
	started chan struct{} // closed when the first GET arrives
	release chan struct{} // closed by the test
	once    sync.Once
}

func newS3Gate(h http.Handler) *s3Gate {
	return &s3Gate{h: h, gets: map[string]int{}, held: map[string]*heldDownload{}}
}

func (g *s3Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.Contains(strings.Trim(r.URL.Path, "/"), "/") { // GetObject, not a listing
		g.mu.Lock()
		g.gets[r.URL.Path]++
		h := g.held[r.URL.Path]
		g.mu.Unlock()
		if h != nil {
			h.once.Do(func() { close(h.started) })
			select {
			case <-h.release:
			case <-r.Context().Done():
				return
			}
		}
	}
	g.h.ServeHTTP(w, r)
}

// hold holds the GETs of bucket/key: started is closed when one arrives;
// release lets them through.
func (g *s3Gate) hold(bucket, key string) (started <-chan struct{}, release func()) {
	h := &heldDownload{started: make(chan struct{}), release: make(chan struct{})}
	g.mu.Lock()
	g.held["/"+bucket+"/"+key] = h
	g.mu.Unlock()
	var once sync.Once
	return h.started, func() { once.Do(func() { close(h.release) }) }
}

// getsOf is how many GETs bucket/key received.
func (g *s3Gate) getsOf(bucket, key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gets["/"+bucket+"/"+key]
}

// await waits for ch; a channel that never closes fails the test before
// its deadline (a hang, not a timing assertion).
func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	var expire <-chan time.Time
	if d, ok := t.Deadline(); ok {
		timer := time.NewTimer(time.Until(d) * 9 / 10)
		defer timer.Stop()
		expire = timer.C
	}
	select {
	case <-ch:
	case <-expire:
		t.Fatalf("still waiting for %s near the test's deadline", what)
	}
}

// logLines is a Log writer the test can wait on.
type logLines struct {
	mu    sync.Mutex
	buf   strings.Builder
	waits []logWait
}

type logWait struct {
	sub string
	ch  chan struct{}
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	kept := l.waits[:0]
	for _, w := range l.waits {
		if strings.Contains(l.buf.String(), w.sub) {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	l.waits = kept
	return len(p), nil
}

// seen is closed once the log holds sub.
func (l *logLines) seen(sub string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(l.buf.String(), sub) {
		close(ch)
	} else {
		l.waits = append(l.waits, logWait{sub, ch})
	}
	return ch
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
