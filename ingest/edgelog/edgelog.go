// Package edgelog reads CDN and load-balancer access logs into Arrow record
// batches whose columns are, by name and type, the columns of opsbot's
// requests table (sql/schema/001_requests.sql).
//
// Every format streams, and its memory is bounded by design, whatever the
// object holds: a Reader holds one batch of rows and at most MaxRejects
// rejects at a time; a line longer than Options.MaxLine is rejected without
// being held whole; Decompress fails a stream inflating beyond its
// expansion limit (a bomb); Parquet page headers with negative or absurd
// sizes are refused before anything is allocated for them. A line that
// cannot be read never stops a Reader: it becomes a Reject carrying its
// 1-based line number, the reason and the first kilobyte of the line (of
// an object's rejects, the first MiB of text in all is kept, and past
// Options.MaxRejectLines they are only counted: junk costs no memory per
// line).
// Every line is accounted for (Reader.Tally): lines = rows + rejects +
// skipped; a Parquet object whose rows read fall short of its footer's row
// count is an error, never a short or empty success. Blank lines and format directives (CloudFront's
// "#Version:" and "#Fields:") are neither rows nor rejects. Each row carries
// its provenance: source (Options.Source, by default the format name),
// source_object (Options.Object) and source_line (its 1-based line number
// in the decompressed object; for Parquet, its 1-based row number). Times
// outside 1970–2199, which ClickHouse's DateTime64 cannot hold, are rejects.
//
// # Formats
//
// CloudFront standard logs (cloudfront): the W3C tab-separated files. Fields
// are mapped by the "#Fields:" directive, never by position; before any
// directive the documented legacy order is assumed. A line may be shorter
// than the directive when it carries date, time, c-ip, cs-method,
// cs-uri-stem and sc-status: missing trailing fields are empty; a longer
// line is rejected. "-" is empty. cs(User-Agent) is URL-decoded, twice when
// CloudFront double-encoded it ("%2520" → " "); cs(Referer), paths and
// queries stay as logged. sc-status "000" is kept as 0. host is
// x-host-header, else cs(Host). x-forwarded-for is kept as logged and its
// first address, when it is one, becomes forwarded_ip. c-country and asn
// come from standard logging v2 when present.
//
// CloudFront standard logging v2 (cloudfront-v2-json, cloudfront-v2-parquet):
// the same field names as JSON members or Parquet columns, read by the same
// rules; ts may also come from timestamp(ms) or timestamp. Parquet needs
// random access: a stream is spooled to a temporary file first. Page headers
// are checked before decoding, and the decoder's memory is budgeted, so a
// corrupt object is an error, not a hang.
//
// Cloudflare Logpush http_requests (cloudflare): NDJSON. A line needs
// EdgeStartTimestamp and ClientIP. EdgeStartTimestamp may be RFC 3339 or a
// unix time in seconds, milliseconds, microseconds or nanoseconds (told
// apart by magnitude). ClientRequestURI is split into path and query;
// ClientCountry is upper-cased like CloudFront's c-country; edge_location is
// EdgeColoCode, cache_result CacheCacheStatus, request_id RayID; time_taken
// is EdgeEndTimestamp − EdgeStartTimestamp, else EdgeTimeToFirstByteMs,
// else OriginResponseDurationMs (else OriginResponseTime, in ns).
//
// AWS Application Load Balancer (alb): space-separated with quoted fields;
// Classic Load Balancer lines (no leading type) are read too. ts is the
// "time" field (when the response was sent), client_ip the address of
// client:port, status elb_status_code ("-" → 0), bytes_in received_bytes,
// bytes_out sent_bytes, time_taken the sum of the non-negative
// request/target/response processing times, edge_location the load
// balancer, request_id trace_id, protocol the connection type (h2 and
// grpcs count as https), host, path and query from the request URL.
//
// nginx/Apache combined and common log formats (combined): referer and user
// agent are optional; a third quoted field (nginx's default "main" format)
// is x-forwarded-for; an Apache vhost_combined "host:port" prefix is host.
//
// Fastly (fastly): the default "classic" syslog-prefixed common-log line
// ("<134>2026-11-22T10:00:00Z cache-sjc1 name[123]: 1.2.3.4 - - [...] ..."),
// with edge_location the POP of the cache server name (cache-sjc10042 →
// SJC), and JSON lines with or without the syslog prefix ("blank" setup).
// Fastly JSON has no fixed schema; these top-level keys of a flat object are
// read (the first listed is the one in Fastly's own JSON logging example),
// others and nested objects are ignored; a line needs a time and a client:
//
//	ts             timestamp, time, time_start, start_time (RFC 3339, or unix s/ms/µs/ns)
//	client_ip      client_ip, ip, client, remote_addr
//	status         response_status, status, resp_status
//	method         request_method, method
//	host           host, request_host
//	path, query    url, request_url, uri (split at "?"); path, query when given apart
//	user_agent     request_user_agent, user_agent, useragent
//	referer        request_referer, referer, referrer
//	bytes_in       request_size, req_bytes, request_bytes, req_body_size, req_header_size (summed)
//	bytes_out      response_body_size, resp_bytes, response_bytes, bytes, resp_body_size, resp_header_size (summed)
//	time_taken     time_elapsed, time_elapsed_usec, elapsed_usec (µs: Fastly's examples log time.elapsed.usec);
//	               time_elapsed_msec, elapsed_msec, request_time_ms (ms); duration, time_taken, elapsed (s)
//	edge_location  pop, datacenter, server_datacenter; else the POP of fastly_server / server
//	cache_result   response_state, cache_status, state (fastly_info.state)
//	protocol       request_scheme, scheme, protocol_scheme ("https", "http")
//	http_version   request_protocol, protocol, http_version
//	country        geo_country_code, country_code (upper-cased); geo_country, country when no code
//	asn            asn, client_asn, geo_asn, client_as_number
//	forwarded_for  x_forwarded_for, forwarded_for, xff
//	request_id     request_id, req_id, xid
package edgelog

import (
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Format names a log format.
type Format string

// The formats edgelog reads.
const (
	CloudFront          Format = "cloudfront"
	CloudFrontV2Parquet Format = "cloudfront-v2-parquet"
	CloudFrontV2JSON    Format = "cloudfront-v2-json"
	Cloudflare          Format = "cloudflare"
	Fastly              Format = "fastly"
	ALB                 Format = "alb"
	Combined            Format = "combined"
)

// Formats lists every format, in the order help texts show them.
func Formats() []Format {
	return []Format{CloudFront, CloudFrontV2Parquet, CloudFrontV2JSON, Cloudflare, Fastly, ALB, Combined}
}

// ParseFormat reads a format name (as given to --format).
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
	}
	names := make([]string, 0, 7)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("%w %q: want one of %s", ErrUnknownFormat, s, strings.Join(names, ", "))
}

// Reject is a line that could not be read. Past the first MaxRejectText
// bytes of an object's rejected text, Raw is empty and Reason says so.
// Past its first Options.MaxRejectLines rejects, a Reader only counts
// them: one Reject per Next stands for Line and More later rejected
// lines, its Reason says so and Raw is empty.
type Reject struct {
	Line   int    // 1-based line number in the decompressed object (Parquet: row number)
	Reason string // what was wrong, e.g. `bad c-ip "x"`
	Raw    string // the first 1 KB of the line (MaxRaw)
	More   int    // further rejected lines this Reject counts (their text not kept)
}

// MaxRaw is how much of a rejected line a Reject keeps.
const MaxRaw = 1024

// DefaultBatchRows is the batch size when Options.BatchRows is 0.
const DefaultBatchRows = 65536

// Options tune a Reader.
type Options struct {
	BatchRows int    // rows per batch; 0 means DefaultBatchRows
	Object    string // the source_object value of every row
	Source    string // the source value; "" means the format name
	// RequestIDs keeps the edge's request ids (CloudFront's
	// x-edge-request-id, Cloudflare's RayID…). They are random: about 40
	// bytes a row that no codec shrinks, more than all other columns
	// together. Off, request_id is empty; source_object and source_line
	// still lead to the raw line.
	RequestIDs bool
	Alloc      memory.Allocator // for Parquet decoding; nil means the Go allocator
	// SpoolDir and SpoolLimit bound how Parquet, which needs random access,
	// is buffered when the input is not an io.ReaderAt: in a temporary file
	// in SpoolDir (os.TempDir() when ""), at most SpoolLimit bytes (0 means
	// DefaultSpoolLimit).
	SpoolDir   string
	SpoolLimit int64
	// MaxLine is the longest line read (0 means DefaultMaxLine). A longer
	// line is rejected as too long, with its line number and first KB,
	// without ever being held whole.
	MaxLine int
	// MaxRejectLines is how many rejects of an object are handed out one
	// by one, with line number and reason (0 means DefaultMaxRejectLines,
	// <0 none); later ones are counted only (see Reject), so that an
	// object of junk costs no memory per line. Their text is kept up to
	// MaxRejectText bytes per object.
	MaxRejectLines int
}

// Reader yields record batches with Schema().
//
// Next returns the next batch and the lines rejected since the previous
// call, at most MaxRejects of them; at the end it returns (nil, rejects,
// io.EOF) — the last rejects may come with io.EOF. When MaxRejects lines
// are rejected before a batch fills, Next returns (nil, rejects, nil) and
// the rows read so far wait for the next call: rejects never pile up.
// Batching is deterministic: every batch but the last holds exactly
// Options.BatchRows rows, so the same object always splits into the same
// batches with the same rejects (call i can carry a deduplication token). A malformed line never makes Next fail: only the
// underlying reader's errors do (a truncated gzip stream, a closed pipe);
// the rows read before such an error come first as a short batch, and the
// next call returns the error. A returned record stays valid after later
// calls; its buffers are recycled when it is released, so release it once
// inserted. Tally accounts for every line (Parquet: every row its footer
// declares) read so far. Close releases what the Reader holds (temporary
// files, unused buffers); it does not close the io.Reader.
type Reader interface {
	Next() (arrow.Record, []Reject, error)
	Tally() Tally
	Close() error
}

// NewReader reads format f from r, which is already decompressed (see
// Decompress).
func NewReader(f Format, r io.Reader, o Options) (Reader, error) {
	if o.BatchRows <= 0 {
		o.BatchRows = DefaultBatchRows
	}
	if o.Source == "" {
		o.Source = string(f)
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	switch f {
	case CloudFront:
		return newLineReader(r, o, newCloudFront()), nil
	case CloudFrontV2JSON:
		return newLineReader(r, o, newCloudFrontJSON()), nil
	case CloudFrontV2Parquet:
		return newParquetReader(r, o)
	case Cloudflare:
		return newLineReader(r, o, newCloudflare()), nil
	case Fastly:
		return newLineReader(r, o, newFastly()), nil
	case ALB:
		return newLineReader(r, o, &alb{}), nil
	case Combined:
		return newLineReader(r, o, &combined{}), nil
	}
	if _, err := ParseFormat(string(f)); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %q is not in canonical form (use ParseFormat)", ErrUnknownFormat, f)
}
