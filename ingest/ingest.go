// Package ingest loads CDN access logs into the requests table exactly once.
//
// A Worker lists log objects from a Source (S3, a local folder) or receives
// them from a Queue (S3 event notifications on SQS: direct, through SNS or
// EventBridge), parses each with package edgelog into Arrow batches and
// inserts them into the warehouse. A queue message that is no S3
// notification is left for the queue's dead-letter queue, never deleted.
//
// Exactly once: every object is tracked individually in the ingest_objects
// manifest (CloudFront delivers out of order and up to a day late, so no
// "largest key seen" checkpoint). Each batch of an object is inserted with a
// deterministic deduplication token (bucket, key, ETag, generation, chunk
// index; the chunk size is recorded with the object), so a load interrupted
// at any instant and resumed inserts every row once. A re-ingest deletes the
// object's rows and loads it under the next generation.
//
// Nothing lost: lines that cannot be read go to ingest_rejects and are
// counted in the manifest; an object that cannot be read (corrupt gzip,
// unknown format) is marked failed with its error and retried with backoff
// up to a limit, then left failed for `opsbot ingest status` and the audit
// report to show.
package ingest

import (
	"context"
	"errors"
	"io"
	"regexp"
	"time"
)

// Object is one log object.
type Object struct {
	Bucket   string    // S3 bucket; "" for a local folder
	Key      string    // S3 key, or the path relative to the folder
	ETag     string    // content identity (S3 ETag; size and mtime for files)
	Size     int64     // bytes as stored (compressed)
	Modified time.Time // when it was delivered (LastModified, mtime)
}

// Name is how logs and errors name the object.
func (o Object) Name() string {
	if o.Bucket == "" {
		return o.Key
	}
	return "s3://" + o.Bucket + "/" + o.Key
}

// Source offers log objects.
//
// List calls fn for every object under the source, in any order, without
// holding the whole listing; an error from fn stops it and is returned.
// Open streams an object's stored bytes (still compressed). Both are safe
// for concurrent use.
type Source interface {
	List(ctx context.Context, fn func(Object) error) error
	Open(ctx context.Context, o Object) (io.ReadCloser, error)
	String() string
}

// Errors a Worker reports (wrapped).
var (
	// ErrUnknownFormat: the object's format could not be recognised.
	ErrUnknownFormat = errors.New("unknown log format")
	// ErrGaveUp: the object failed max_attempts times.
	ErrGaveUp = errors.New("gave up")

	errBadFrom = errors.New("bad source")
)

var (
	hourStamp = regexp.MustCompile(`(20\d\d)-(\d\d)-(\d\d)-(\d\d)`)
	isoStamp  = regexp.MustCompile(`(20\d\d)(\d\d)(\d\d)T(\d\d)(\d\d)`)
	dayStamp  = regexp.MustCompile(`(?:^|/)(20\d\d)(\d\d)(\d\d)(?:/|$)`)
)

// ObjectTime is the time of the requests an object holds as its name tells
// it (CloudFront's DIST.2026-11-22-10.ID.gz, ALB's …_20261122T1005Z_…,
// Logpush's 20261122/20261122T100000Z_…), else when it was delivered.
func ObjectTime(o Object) time.Time {
	for _, re := range []*regexp.Regexp{hourStamp, isoStamp} {
		if m := re.FindStringSubmatch(o.Key); m != nil {
			if t, ok := stamp(m[1:]); ok {
				return t
			}
		}
	}
	if m := dayStamp.FindStringSubmatch(o.Key); m != nil {
		if t, ok := stamp(m[1:]); ok {
			return t
		}
	}
	return o.Modified.UTC()
}

func stamp(p []string) (time.Time, bool) {
	n := make([]int, 5)
	for i, s := range p {
		for _, c := range s {
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 {
		return time.Time{}, false
	}
	return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], 0, 0, time.UTC), true
}
