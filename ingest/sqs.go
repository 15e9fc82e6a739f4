package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Message is one queue message: the objects an S3 event notification names.
type Message struct {
	ID      string
	Handle  string   // receipt handle, for Delete and Extend
	Objects []Object // empty for s3:TestEvent and other events without objects
	// Err says why the body is not an S3 event notification. Such a
	// message is neither deleted nor kept hidden: after maxReceiveCount
	// the queue's redrive policy moves it to its dead-letter queue.
	Err error
}

// Queue delivers S3 event notifications to competing consumers.
//
// Receive waits up to its long-poll time for messages; each stays invisible
// to other consumers for the visibility timeout. Extend pushes that timeout
// further while a message is in flight (its object being read, or waiting
// for a worker), or sets a failed one's backoff. Delete acknowledges a
// message: a Worker calls it only after every object it names is recorded in
// the manifest (loaded, or failed for good).
type Queue interface {
	Receive(ctx context.Context) ([]Message, error)
	Extend(ctx context.Context, m Message, d time.Duration) error
	Delete(ctx context.Context, m Message) error
	String() string
}

// SQS is a Queue on Amazon SQS (or anything speaking its JSON protocol).
type SQS struct {
	Client     *sqs.Client
	URL        string
	Visibility time.Duration // per receive; default 5m
	Wait       time.Duration // long poll; default 20s
}

var _ Queue = (*SQS)(nil)

func (q *SQS) String() string { return "sqs://" + q.URL }

// ParseSQSURL reads sqs://QUEUE_URL: sqs://sqs.eu-west-1.amazonaws.com/123/q
// (https is implied) or sqs://http://127.0.0.1:9324/123/q. It returns the
// queue URL and the endpoint to send requests to.
func ParseSQSURL(s string) (queueURL, endpoint string, err error) {
	rest := strings.TrimPrefix(s, "sqs://")
	if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
		rest = "https://" + rest
	}
	u, err := url.Parse(rest)
	if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return "", "", fmt.Errorf("%w: want sqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got %q", errBadFrom, s)
	}
	return rest, u.Scheme + "://" + u.Host, nil
}

// NewSQSClient makes an SQS client sending to endpoint.
func NewSQSClient(cfg aws.Config, endpoint string) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Receive implements Queue.
func (q *SQS) Receive(ctx context.Context) ([]Message, error) {
	vis, wait := q.Visibility, q.Wait
	if vis <= 0 {
		vis = 5 * time.Minute
	}
	if wait <= 0 {
		wait = 20 * time.Second
	}
	out, err := q.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(q.URL),
		MaxNumberOfMessages: 10,
		VisibilityTimeout:   int32(vis / time.Second),
		WaitTimeSeconds:     int32(wait / time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", q, err)
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		objs, err := ParseS3Event([]byte(aws.ToString(m.Body)))
		msgs = append(msgs, Message{ID: aws.ToString(m.MessageId), Handle: aws.ToString(m.ReceiptHandle), Objects: objs, Err: err})
	}
	return msgs, nil
}

// Extend implements Queue.
func (q *SQS) Extend(ctx context.Context, m Message, d time.Duration) error {
	_, err := q.Client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.URL), ReceiptHandle: aws.String(m.Handle), VisibilityTimeout: int32(d / time.Second),
	})
	if err != nil {
		return fmt.Errorf("extend message %s: %w", m.ID, err)
	}
	return nil
}

// Delete implements Queue.
func (q *SQS) Delete(ctx context.Context, m Message) error {
	_, err := q.Client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.URL), ReceiptHandle: aws.String(m.Handle)})
	if err != nil {
		return fmt.Errorf("delete message %s: %w", m.ID, err)
	}
	return nil
}

// s3Event is an S3 event notification (possibly wrapped in an SNS
// envelope) or an EventBridge event. encoding/json matches names without
// regard to case, so no two fields here differ only in case.
type s3Event struct {
	Type    string     `json:"Type"`    // "Notification" when SNS wraps it
	Message string     `json:"Message"` // the wrapped event, as a JSON string
	Event   string     `json:"Event"`   // "s3:TestEvent"
	Records []s3Record `json:"Records"`

	Source     string    `json:"source"`      // EventBridge: "aws.s3"
	DetailType string    `json:"detail-type"` // EventBridge: "Object Created"
	Detail     *s3Detail `json:"detail"`
	EventTime  time.Time `json:"time"`
}

type s3Record struct {
	EventSource string    `json:"eventSource"` // "aws:s3"
	EventName   string    `json:"eventName"`
	EventTime   time.Time `json:"eventTime"`
	S3          struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"` // URL-encoded (+ for a space)
			Size int64  `json:"size"`
			ETag string `json:"eTag"`
		} `json:"object"`
	} `json:"s3"`
}

// s3Detail is the detail of an EventBridge S3 event; its key is plain.
type s3Detail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key  string `json:"key"`
		Size int64  `json:"size"`
		ETag string `json:"etag"`
	} `json:"object"`
}

var (
	errBadEvent = errors.New("not an S3 event notification")
	// errNotJSON: the body (or the message SNS wraps) is no JSON at all.
	errNotJSON = fmt.Errorf("%w: not JSON", errBadEvent)
)

// ParseS3Event reads the objects created in an S3 event notification (keys
// are URL-decoded), an SNS notification wrapping one, or an EventBridge S3
// "Object Created" event (keys as they are). s3:TestEvent, removals and
// other S3 events name no objects. Anything else is an error wrapping
// errBadEvent that says what the body is instead.
func ParseS3Event(body []byte) ([]Object, error) {
	var e s3Event
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotJSON, err)
	}
	switch {
	case e.Type == "Notification":
		objs, err := ParseS3Event([]byte(e.Message))
		if err != nil {
			return nil, fmt.Errorf("in SNS notification: %w", err)
		}
		return objs, nil
	case e.Type != "":
		return nil, fmt.Errorf("%w: SNS message of type %q", errBadEvent, e.Type)
	case e.Records != nil:
		return s3Records(e.Records)
	case e.Event != "":
		if e.Event != "s3:TestEvent" {
			return nil, fmt.Errorf("%w: event %q (only s3:TestEvent is one)", errBadEvent, e.Event)
		}
		return nil, nil
	case e.Source != "":
		return bridgeEvent(&e)
	}
	return nil, fmt.Errorf("%w: no Records, Event or EventBridge source", errBadEvent)
}

// s3Records reads the records of an S3 event notification; each must come
// from aws:s3.
func s3Records(rs []s3Record) ([]Object, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: empty Records", errBadEvent)
	}
	var objs []Object
	for i, r := range rs {
		if r.EventSource != "aws:s3" {
			return nil, fmt.Errorf("%w: record %d comes from %q, not aws:s3", errBadEvent, i+1, r.EventSource)
		}
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: key %q: %v", errBadEvent, i+1, r.S3.Object.Key, err)
		}
		o := Object{Bucket: r.S3.Bucket.Name, Key: key, ETag: cleanETag(r.S3.Object.ETag), Size: r.S3.Object.Size, Modified: r.EventTime.UTC()}
		if o.Bucket == "" || o.Key == "" {
			return nil, fmt.Errorf("%w: record %d (%s) names no bucket or key", errBadEvent, i+1, r.EventName)
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// bridgeEvent reads an EventBridge event: S3's "Object Created" names one
// object, S3's other events none; events of other sources are errors.
func bridgeEvent(e *s3Event) ([]Object, error) {
	if e.Source != "aws.s3" {
		return nil, fmt.Errorf("%w: EventBridge event %q from %q, not aws.s3", errBadEvent, e.DetailType, e.Source)
	}
	if e.DetailType != "Object Created" {
		return nil, nil
	}
	if e.Detail == nil || e.Detail.Bucket.Name == "" || e.Detail.Object.Key == "" {
		return nil, fmt.Errorf("%w: EventBridge Object Created event names no bucket or key", errBadEvent)
	}
	d := e.Detail
	return []Object{{Bucket: d.Bucket.Name, Key: d.Object.Key, ETag: cleanETag(d.Object.ETag), Size: d.Object.Size, Modified: e.EventTime.UTC()}}, nil
}
