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
// Nothing lost: lines that cannot be read are counted in the manifest and
// the first max_reject_lines of each object go to ingest_rejects (the text
// of the first MiB of them, edgelog.MaxRejectText: later ones say in their
// reason that it was not kept). No object
// is recorded done unless its rows are proven: the rows and rejects
// received must add up to the lines its reader read (for Parquet, to the
// rows its footer declares). An object that cannot be read (corrupt gzip,
// a count that does not add up, a decompression bomb) is marked failed with
// its error and retried with backoff up to a limit (a bomb fails for good at
// once), then left failed for `opsbot ingest status` and the audit report
// to show. An entry that cannot be loaded at all (a symlink, a named pipe,
// an unreadable file, a file that is no log) is recorded skipped with its
// reason, logged once, and not tried again until it changes.
//
// Memory is bounded by design whatever an object holds: package edgelog
// holds one batch and at most edgelog.MaxRejects rejects at a time, never
// more than max_line_bytes of a line, and refuses bombs and absurd Parquet
// sizes.
//
// Keys are bound as query parameters or inserted as Arrow columns, never
// written into SQL text: any byte a key may hold is stored and matched
// exactly.
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
	Skip     *Skip     // set by List for an entry that cannot be loaded: why
}

// Reasons an entry is recorded skipped (State.Reason).
const (
	SkipSymlink    = "symlink"    // a folder's symbolic link: not followed
	SkipNotFile    = "not a file" // a named pipe, socket or device
	SkipUnreadable = "unreadable" // permission denied, or gone after it was listed
	SkipNotLog     = "not a log"  // its content is no log format opsbot reads
)

// Skip says why an entry cannot be loaded. As an error (from Open or a
// load), it makes the worker record the entry skipped instead of failed:
// trying again cannot help until the entry changes.
type Skip struct {
	Reason string // one of the Skip* reasons
	Detail string // what was found and how to fix it
}

func (s *Skip) Error() string { return s.Reason + ": " + s.Detail }

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
