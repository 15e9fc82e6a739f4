package ingest_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSQS speaks SQS's JSON protocol (awsJson1_0, X-Amz-Target:
// AmazonSQS.Op) on loopback, with visibility timeouts and receipt handles,
// and records what consumers did.
type fakeSQS struct {
	t   *testing.T
	srv *httptest.Server
	URL string // the queue URL

	mu       sync.Mutex
	msgs     []*sqsMsg
	deleted  map[string]bool           // message id → deleted
	extended map[string][]int          // message id → visibility timeouts asked
	onDelete func(id string)           // runs before a delete is accepted
	onExtend func(id string, secs int) // runs on each ChangeMessageVisibility
	receipts int
}

type sqsMsg struct {
	id, body  string
	handle    string
	visibleAt time.Time
	received  int
}

func newFakeSQS(t *testing.T) *fakeSQS {
	f := &fakeSQS{t: t, deleted: map[string]bool{}, extended: map[string][]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.URL = f.srv.URL + "/000000000000/edge-logs"
	return f
}

func (f *fakeSQS) send(id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, &sqsMsg{id: id, body: body})
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
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.QueueUrl != f.URL {
		f.fail(w, "InvalidAddress", fmt.Sprintf("queue %q (%v)", in.QueueUrl, err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch op {
	case "ReceiveMessage":
		f.receive(w, in.VisibilityTimeout, in.MaxNumberOfMessages)
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

func (f *fakeSQS) receive(w http.ResponseWriter, vis, max int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	type out struct{ MessageId, ReceiptHandle, MD5OfBody, Body string }
	var msgs []out
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
		msgs = append(msgs, out{m.id, m.handle, hex.EncodeToString(sum[:]), m.body})
	}
	json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
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

// s3Event is the body S3 sends for one created object.
func s3Event(bucket, key, etag string, size int) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",`+
		`"eventTime":"2026-11-22T10:05:00.000Z","eventName":"ObjectCreated:Put",`+
		`"s3":{"s3SchemaVersion":"1.0","bucket":{"name":%q,"arn":"arn:aws:s3:::%s"},`+
		`"object":{"key":%q,"size":%d,"eTag":%q,"sequencer":"0055AED6DCD90281E5"}}}]}`,
		bucket, bucket, strings.ReplaceAll(key, " ", "+"), size, etag)
}

// expire makes every undeleted message visible again, as if its visibility
// timeout had passed.
func (f *fakeSQS) expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		m.visibleAt = time.Time{}
	}
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
