package ingest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// From opens the source a --from (or ingest.from) names: s3://BUCKET/PREFIX,
// sqs://QUEUE_URL (objects are then read from S3) or a local folder. AWS
// settings come from the SDK's default chain; endpoint, when set, is an
// S3-compatible store reached path-style.
func From(ctx context.Context, from, endpoint string, visibility time.Duration) (Source, Queue, error) {
	switch {
	case from == "":
		return nil, nil, fmt.Errorf("%w: no source (give --from s3://BUCKET/PREFIX, sqs://QUEUE_URL or a folder, or set ingest.from)", errBadFrom)
	case strings.HasPrefix(from, "s3://"):
		bucket, prefix, err := ParseS3URL(from)
		if err != nil {
			return nil, nil, err
		}
		cfg, err := LoadAWS(ctx)
		if err != nil {
			return nil, nil, err
		}
		return &S3{Client: NewS3Client(cfg, AWSOptions{Endpoint: endpoint}), Bucket: bucket, Prefix: prefix}, nil, nil
	case strings.HasPrefix(from, "sqs://"):
		qurl, qend, err := ParseSQSURL(from)
		if err != nil {
			return nil, nil, err
		}
		cfg, err := LoadAWS(ctx)
		if err != nil {
			return nil, nil, err
		}
		q := &SQS{Client: NewSQSClient(cfg, qend), URL: qurl, Visibility: visibility}
		return &S3{Client: NewS3Client(cfg, AWSOptions{Endpoint: endpoint})}, q, nil
	case strings.Contains(from, "://"):
		return nil, nil, fmt.Errorf("%w: %q (use s3://BUCKET/PREFIX, sqs://QUEUE_URL or a folder)", errBadFrom, from)
	}
	st, err := os.Stat(from)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errBadFrom, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("%w: %s is not a folder", errBadFrom, from)
	}
	return &Dir{Root: from}, nil, nil
}
