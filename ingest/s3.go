package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/opsbot/opsbot"
)

// S3 is a bucket prefix of log objects, listed with ListObjectsV2.
type S3 struct {
	Client *s3.Client
	Bucket string
	Prefix string
}

var (
	_ Source = (*S3)(nil)
	_ Stater = (*S3)(nil)
)

func (s *S3) String() string { return "s3://" + s.Bucket + "/" + s.Prefix }

// AWSOptions say how to reach AWS or an S3-compatible store.
type AWSOptions struct {
	// Endpoint is an S3-compatible endpoint (path-style addressing). When
	// empty, AWS_ENDPOINT_URL_S3 (read by the SDK) or AWS itself.
	Endpoint string
}

// LoadAWS reads the SDK's default chain (environment, shared config and
// credentials files, SSO, instance roles). A missing region defaults to
// us-east-1, which S3-compatible stores accept.
func LoadAWS(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

// NewS3Client makes an S3 client from cfg; with an endpoint (o.Endpoint, or
// the SDK's AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) it addresses buckets
// path-style, as S3-compatible stores expect.
func NewS3Client(cfg aws.Config, o AWSOptions) *s3.Client {
	custom := o.Endpoint != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		if custom {
			so.UsePathStyle = true
			so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
}

// ParseS3URL splits s3://BUCKET/PREFIX.
func ParseS3URL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("%w: want s3://BUCKET/PREFIX, got %q", errBadFrom, s)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// List implements Source: every object under the prefix, page by page.
func (s *S3) List(ctx context.Context, fn func(Object) error) error {
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{
		Bucket:       aws.String(s.Bucket),
		Prefix:       aws.String(s.Prefix),
		EncodingType: types.EncodingTypeUrl,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", s, err)
		}
		for _, c := range page.Contents {
			key, err := listedKey(page.EncodingType, aws.ToString(c.Key))
			if err != nil {
				return fmt.Errorf("list %s: %w", s, err)
			}
			if strings.HasSuffix(key, "/") {
				continue // a folder marker
			}
			o := Object{Bucket: s.Bucket, Key: key, ETag: cleanETag(aws.ToString(c.ETag)),
				Size: aws.ToInt64(c.Size), Modified: aws.ToTime(c.LastModified).UTC()}
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// listedKey is a key as ListObjectsV2 returned it. The listing asks for
// URL-encoded keys, since XML 1.0 cannot carry most control bytes, which
// S3 keys may hold; a store that ignores the request (and says so by not
// echoing the encoding type) returns them as they are.
func listedKey(enc types.EncodingType, key string) (string, error) {
	if enc != types.EncodingTypeUrl {
		return key, nil
	}
	k, err := url.QueryUnescape(key)
	if err != nil {
		return "", fmt.Errorf("URL-encoded key %q: %w", key, err)
	}
	return k, nil
}

// Open implements Source: GetObject, streamed. The ETag must still match,
// so a rewritten object is never read under its old identity.
func (s *S3) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)}
	if o.ETag != "" {
		in.IfMatch = aws.String(`"` + o.ETag + `"`)
	}
	out, err := s.Client.GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.Name(), err)
	}
	return out.Body, nil
}

func cleanETag(s string) string { return strings.Trim(s, `"`) }

// Stat implements Stater with HeadObject; bucket "" is the source's.
func (s *S3) Stat(ctx context.Context, bucket, key string) (Object, error) {
	if bucket == "" {
		bucket = s.Bucket
	}
	out, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf *types.NotFound
	if errors.As(err, &nf) {
		return Object{}, opsbot.NotFoundf("s3://%s/%s", bucket, key)
	}
	if err != nil {
		return Object{}, fmt.Errorf("head s3://%s/%s: %w", bucket, key, err)
	}
	return Object{Bucket: bucket, Key: key, ETag: cleanETag(aws.ToString(out.ETag)), Size: aws.ToInt64(out.ContentLength),
		Modified: aws.ToTime(out.LastModified).UTC()}, nil
}
