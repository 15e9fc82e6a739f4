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
	// message is never deleted: after maxReceiveCount the queue's redrive
	// policy moves it to its dead-letter queue.
	Err error
}

// Queue delivers S3 event notifications to competing consumers.
//
// Receive waits up to its long-poll time for messages; each stays invisible
// to other consumers for the visibility timeout. Extend pushes that timeout
// further while an object is still being read. Delete acknowledges a
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

// s3Event is an S3 event notification, possibly wrapped in an SNS envelope.
type s3Event struct {
	Type    string `json:"Type"`    // "Notification" when SNS wraps it
	Message string `json:"Message"` // the S3 event, as a JSON string
	Event   string `json:"Event"`   // "s3:TestEvent"
	Records []struct {
		EventName string    `json:"eventName"`
		EventTime time.Time `json:"eventTime"`
		S3        struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"eTag"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

var errBadEvent = errors.New("not an S3 event notification")

// ParseS3Event reads the objects created in an S3 event notification (keys
// are URL-decoded). Test events and removals name no objects.
func ParseS3Event(body []byte) ([]Object, error) {
	var e s3Event
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadEvent, err)
	}
	if e.Type == "Notification" && e.Message != "" {
		return ParseS3Event([]byte(e.Message))
	}
	if e.Records == nil && e.Event == "" {
		return nil, fmt.Errorf("%w: no Records", errBadEvent)
	}
	var objs []Object
	for _, r := range e.Records {
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %v", errBadEvent, r.S3.Object.Key, err)
		}
		objs = append(objs, Object{Bucket: r.S3.Bucket.Name, Key: key, ETag: cleanETag(r.S3.Object.ETag),
			Size: r.S3.Object.Size, Modified: r.EventTime.UTC()})
	}
	return objs, nil
}
