package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// sqsServer is one SQS queue on loopback speaking the SDK's protocol
// (awsJson1_0, X-Amz-Target: AmazonSQS.Op): SendMessage, ReceiveMessage
// with visibility timeouts and long polling, ChangeMessageVisibility and
// DeleteMessage by receipt handle.
type sqsServer struct {
	srv *httptest.Server
	URL string // the queue URL

	mu       sync.Mutex
	msgs     []*sqsMsg
	next     int
	arrived  chan struct{}     // closed (and replaced) on each send
	onDelete func(body string) // runs before a delete is answered
}

type sqsMsg struct {
	id, body, handle string
	visibleAt        time.Time
	deleted          bool
}

func startSQS() *sqsServer {
	q := &sqsServer{arrived: make(chan struct{})}
	q.srv = httptest.NewServer(http.HandlerFunc(q.serve))
	q.URL = q.srv.URL + "/000000000000/edge-logs"
	return q
}

func (q *sqsServer) close() { q.srv.Close() }

type sqsIn struct {
	QueueUrl, ReceiptHandle, MessageBody                    string
	VisibilityTimeout, MaxNumberOfMessages, WaitTimeSeconds int
}

func (q *sqsServer) serve(w http.ResponseWriter, r *http.Request) {
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	var in sqsIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.QueueUrl != q.URL {
		sqsFail(w, "InvalidAddress", fmt.Sprintf("queue %q (%v)", in.QueueUrl, err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch op {
	case "SendMessage":
		json.NewEncoder(w).Encode(map[string]string{"MessageId": q.send(in.MessageBody)})
	case "ReceiveMessage":
		q.receive(w, r, in)
	case "DeleteMessage", "ChangeMessageVisibility":
		if !q.change(in.ReceiptHandle, op == "DeleteMessage", in.VisibilityTimeout) {
			sqsFail(w, "ReceiptHandleIsInvalid", in.ReceiptHandle)
			return
		}
		w.Write([]byte("{}"))
	default:
		sqsFail(w, "UnsupportedOperation", op)
	}
}

func sqsFail(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(400)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}

func (q *sqsServer) send(body string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	m := &sqsMsg{id: fmt.Sprintf("m%d", q.next), body: body}
	q.msgs = append(q.msgs, m)
	close(q.arrived)
	q.arrived = make(chan struct{})
	return m.id
}

// receive answers with up to MaxNumberOfMessages visible messages, waiting
// up to WaitTimeSeconds for one.
func (q *sqsServer) receive(w http.ResponseWriter, r *http.Request, in sqsIn) {
	deadline := time.NewTimer(time.Duration(in.WaitTimeSeconds) * time.Second)
	defer deadline.Stop()
	wait := in.WaitTimeSeconds > 0
	for {
		out, arrived := q.take(in.VisibilityTimeout, in.MaxNumberOfMessages)
		if len(out) > 0 || !wait {
			json.NewEncoder(w).Encode(map[string]any{"Messages": out})
			return
		}
		select {
		case <-arrived:
		case <-deadline.C:
			wait = false
		case <-r.Context().Done():
			return
		}
	}
}

func (q *sqsServer) take(vis, max int) ([]map[string]string, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []map[string]string
	now := time.Now()
	for _, m := range q.msgs {
		if len(out) == max || m.deleted || now.Before(m.visibleAt) {
			continue
		}
		q.next++
		m.handle = fmt.Sprintf("%s-receipt-%d", m.id, q.next)
		m.visibleAt = now.Add(time.Duration(vis) * time.Second)
		sum := md5.Sum([]byte(m.body))
		out = append(out, map[string]string{"MessageId": m.id, "ReceiptHandle": m.handle, "MD5OfBody": hex.EncodeToString(sum[:]), "Body": m.body})
	}
	return out, q.arrived
}

// change deletes the message a receipt handle names, or sets its
// visibility timeout; false when the handle is not current.
func (q *sqsServer) change(handle string, del bool, vis int) bool {
	q.mu.Lock()
	var m *sqsMsg
	for _, x := range q.msgs {
		if x.handle == handle && !x.deleted {
			m = x
		}
	}
	hook := q.onDelete
	q.mu.Unlock()
	if m == nil {
		return false
	}
	if del && hook != nil {
		hook(m.body)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if del {
		m.deleted = true
	} else {
		m.visibleAt = time.Now().Add(time.Duration(vis) * time.Second)
	}
	return true
}
