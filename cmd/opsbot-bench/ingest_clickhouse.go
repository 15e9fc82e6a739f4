package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// cloudFrontStructure is the #Fields of CloudFront's standard log as
// ClickHouse columns.
const cloudFrontStructure = "date String, time String, x_edge_location String, sc_bytes UInt64, c_ip String, " +
	"cs_method String, cs_host String, cs_uri_stem String, sc_status String, cs_referer String, cs_user_agent String, " +
	"cs_uri_query String, cs_cookie String, x_edge_result_type String, x_edge_request_id String, x_host_header String, " +
	"cs_protocol String, cs_bytes UInt64, time_taken Float32, x_forwarded_for String, ssl_protocol String, " +
	"ssl_cipher String, x_edge_response_result_type String, cs_protocol_version String, fle_status String, " +
	"fle_encrypted_fields String, c_port String, time_to_first_byte String, x_edge_detailed_result_type String, " +
	"sc_content_type String, sc_content_len String, sc_range_start String, sc_range_end String"

// clickHouseInsert is ClickHouse's own S3 ingest of the same objects into
// a table made like requests: TSV with the two # directive lines of every
// file skipped, mapped onto the requests columns as opsbot maps them.
const clickHouseInsert = `INSERT INTO requests_s3
SELECT
    toDateTime64(concat(date, ' ', time), 3, 'UTC') AS ts,
    toIPv6(c_ip) AS client_ip,
    toUInt16OrZero(sc_status) AS status,
    cs_method AS method,
    if(x_host_header = '-', cs_host, x_host_header) AS host,
    cs_uri_stem AS path,
    if(cs_uri_query = '-', '', cs_uri_query) AS query,
    if(cs_user_agent = '-', '', decodeURLComponent(cs_user_agent)) AS user_agent,
    if(cs_referer = '-', '', decodeURLComponent(cs_referer)) AS referer,
    cs_bytes AS bytes_in,
    sc_bytes AS bytes_out,
    time_taken,
    x_edge_location AS edge_location,
    x_edge_result_type AS cache_result,
    cs_protocol AS protocol,
    cs_protocol_version AS http_version,
    '' AS country,
    0 AS asn,
    if(x_forwarded_for = '-', '', decodeURLComponent(x_forwarded_for)) AS forwarded_for,
    toIPv6OrNull(trimBoth(splitByChar(',', forwarded_for)[1])) AS forwarded_ip,
    %s AS request_id,
    'cloudfront' AS source,
    _file AS source_object,
    toUInt32(rowNumberInAllBlocks() + 1) AS source_line
FROM s3('%s/edge-logs/cloudfront/*.gz', NOSIGN, 'TSV', '%s', 'gzip')
SETTINGS input_format_tsv_skip_first_lines = 2`

// runClickHouse times the s3() ingest; it returns rows/s. Like opsbot's
// run, it keeps the request ids only when ids is set.
func (b *ingestBench) runClickHouse(ctx context.Context, ids bool) (float64, error) {
	if err := b.w.Exec(ctx, "CREATE TABLE requests_s3 AS requests", nil); err != nil {
		return 0, fmt.Errorf("create requests_s3: %w", err)
	}
	id := "''"
	if ids {
		id = "x_edge_request_id"
	}
	q := fmt.Sprintf(clickHouseInsert, id, b.s3url, strings.ReplaceAll(cloudFrontStructure, "'", "\\'"))
	t0, c0 := time.Now(), cpuTime()
	if err := b.w.Exec(ctx, q, nil); err != nil {
		return 0, fmt.Errorf("clickhouse s3() insert: %w", err)
	}
	el, cpu := time.Since(t0), cpuTime()-c0
	n, err := b.count(ctx, "requests_s3")
	if err != nil {
		return 0, err
	}
	if n != uint64(b.lines) {
		return 0, fmt.Errorf("clickhouse s3() stored %d rows of %d lines", n, b.lines)
	}
	fmt.Printf("clickhouse s3() ingest:   %9.0f rows/s  (%d rows in %s; %.0f rows per CPU-second, %.1fs CPU)\n",
		float64(n)/el.Seconds(), n, el.Round(time.Millisecond), float64(n)/cpu.Seconds(), cpu.Seconds())
	return float64(n) / el.Seconds(), nil
}

// report prints the ratio and the storage figures.
func (b *ingestBench) report(ctx context.Context, ours, theirs, rss float64) error {
	if theirs > 0 {
		fmt.Printf("ratio opsbot / clickhouse: %.2f× (target ≥ 2×)\n", ours/theirs)
		// Even a reader that took no time would wait for those inserts.
		fmt.Printf("ceiling with these inserts: %.2f× (clickhouse's time ÷ opsbot's time in the engine's inserts)\n",
			float64(b.lines)/theirs/b.inserts.Seconds())
	}
	fmt.Printf("peak RSS during opsbot ingest: %.0f MB (target < 500 MB; the loopback S3 server runs in its own process)\n", rss)
	for _, stage := range []string{"as inserted", "after OPTIMIZE FINAL"} {
		if stage != "as inserted" {
			if err := b.w.Exec(ctx, "OPTIMIZE TABLE requests FINAL", nil); err != nil {
				return err
			}
		}
		res, err := b.w.Query(ctx, "SELECT sum(bytes_on_disk), sum(rows), count() FROM system.parts WHERE active AND database = currentDatabase() AND table = 'requests'", nil)
		if err != nil {
			return err
		}
		bytes, rows, parts := res.Rows[0][0].(uint64), res.Rows[0][1].(uint64), res.Rows[0][2].(uint64)
		fmt.Printf("stored %s: %.1f MB in %d parts, %.1f bytes/row, %.2f× the gzipped source (%.1f MB; target ≤ 0.5)\n",
			stage, float64(bytes)/1e6, parts, float64(bytes)/float64(max(rows, 1)), float64(bytes)/float64(b.gzBytes), float64(b.gzBytes)/1e6)
	}
	return b.columns(ctx)
}

// columns prints where the stored bytes go.
func (b *ingestBench) columns(ctx context.Context) error {
	res, err := b.w.Query(ctx, "SELECT name, data_compressed_bytes, data_uncompressed_bytes FROM system.columns "+
		"WHERE database = currentDatabase() AND table = 'requests' ORDER BY data_compressed_bytes DESC LIMIT 8", nil)
	if err != nil {
		return err
	}
	fmt.Print("largest columns (bytes/row stored):")
	for _, r := range res.Rows {
		fmt.Printf(" %s %.1f", r[0], float64(r[1].(uint64))/float64(b.lines))
	}
	fmt.Println()
	return nil
}
