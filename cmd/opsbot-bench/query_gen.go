package main

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
)

// genSQL makes rows [from, from+count) of a day of n requests inside the
// engine: a diurnal-free uniform spread over the day, a heavy-tailed client
// population (500k IPv4 addresses, a cubic skew, a few noisy clients
// hammering bad paths), 12 hot paths plus a long tail of 20k, 2 hosts,
// status mix ~87% 2xx/3xx, ~4% 4xx, ~1% 5xx, and log-normal-ish latency.
const genSQL = `INSERT INTO requests (ts, client_ip, status, method, host, path, query, user_agent, referer,
    bytes_in, bytes_out, time_taken, edge_location, cache_result, protocol, http_version, source)
SELECT
    toDateTime64({day:DateTime64(3, 'UTC')}, 3, 'UTC') + toIntervalMillisecond(intDiv(number * 86400000, {n:UInt64})) AS ts,
    if(noisy, toIPv6(toIPv4(1761607680 + noisy_id)),
       toIPv6(toIPv4(184549376 + toUInt32(pow((cityHash64(number, 1) % 1000000) / 1e6, 3) * 500000)))) AS client_ip,
    if(noisy, 404, multiIf(h % 1000 < 4, 0, h % 1000 < 12, 502, h % 1000 < 40, 404, h % 1000 < 52, 301, h % 1000 < 130, 304, 200)) AS status,
    if(h % 10 = 0, 'POST', 'GET') AS method,
    if(h % 3 = 0, 'api.example.org', 'www.example.org') AS host,
    if(noisy, '/blargh', if(h % 10 = 1, concat('/p/', toString(cityHash64(number, 2) % 20000)),
       ['/', '/events', '/donate', '/about', '/static/app.js', '/static/site.css', '/images/hero.jpg',
        '/api/v1/events', '/api/v1/search', '/api/v1/donations', '/favicon.ico', '/robots.txt'][1 + bitShiftRight(h, 20) % 12])) AS path,
    '' AS query,
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0', 'Mozilla/5.0 (Macintosh) Safari/605.1.15',
     'Mozilla/5.0 (iPhone) Mobile/15E148', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0', 'Googlebot/2.1', 'curl/8.5.0'][1 + bitShiftRight(h, 8) % 6] AS user_agent,
    ['', '', '', 'https://www.example.org/', 'https://www.google.com/'][1 + bitShiftRight(h, 12) % 5] AS referer,
    200 + bitShiftRight(h, 16) % 400 AS bytes_in,
    bitShiftRight(h, 24) % 200000 AS bytes_out,
    toFloat32(round(0.002 + pow((bitShiftRight(h, 32) % 10000) / 10000, 6) * 8, 3)) AS time_taken,
    ['IAD89-C1', 'FRA56-P2', 'LHR61-C2', 'NRT57-C1', 'SFO5-C3', 'GRU1-C1', 'SIN2-P1'][1 + bitShiftRight(h, 40) % 7] AS edge_location,
    if(h % 10 < 8, 'Hit', 'Miss') AS cache_result,
    'https' AS protocol, 'HTTP/2.0' AS http_version, 'bench' AS source
FROM (
    SELECT number, cityHash64(number) AS h, (cityHash64(number, 3) % 100) < 3 AS noisy, toUInt32(cityHash64(number, 4) % 5) AS noisy_id
    FROM numbers({from:UInt64}, {count:UInt64})
)`

// costFiles are the schema files that add projections, indexes or
// materialized views to requests, with what drops them, in migration order.
var costFiles = []struct{ file, drop string }{
	{"003_projections.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_hour_status"},
	{"007_client_ip.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_ip, DROP PROJECTION IF EXISTS p_hour_status_ip"},
	{"009_rollups.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_hour_path, DROP PROJECTION IF EXISTS p_hour_edge"},
	{"010_rollups_agents_latency.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_hour_client, DROP PROJECTION IF EXISTS p_hour_latency"},
	{"020_top_clients.sql", "DROP VIEW IF EXISTS requests_top_clients_mv"},
	{"021_rollups_report.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_5min, DROP PROJECTION IF EXISTS p_hour_time, DROP PROJECTION IF EXISTS p_hour_visitor"},
	{"022_slow_rollup.sql", "ALTER TABLE requests DROP PROJECTION IF EXISTS p_hour_slow"},
}

// projectionCost measures the insert rate of rows synthetic rows with none
// of the costFiles applied, then adding each in turn (all left in place).
func projectionCost(ctx context.Context, w warehouse.Warehouse, rows int) error {
	for i := len(costFiles) - 1; i >= 0; i-- {
		if err := w.Exec(ctx, costFiles[i].drop, nil); err != nil {
			return err
		}
	}
	if _, err := generate(ctx, w, rows); err != nil { // warm-up: the engine's first insert runs cold
		return err
	}
	base, err := generate(ctx, w, rows)
	if err != nil {
		return err
	}
	fmt.Printf("insert cost: %.0f rows/s with no projection\n", base)
	for _, c := range costFiles {
		b, err := fs.ReadFile(sql.SchemaFiles(), c.file)
		if err != nil {
			return err
		}
		for _, stmt := range warehouse.Statements(string(b)) {
			if err := w.Exec(ctx, stmt, nil); err != nil {
				return fmt.Errorf("restore %s: %w", c.file, err)
			}
		}
		with, err := generate(ctx, w, rows)
		if err != nil {
			return err
		}
		fmt.Printf("insert cost: %.0f rows/s up to %s (%.0f%% slower than none)\n", with, c.file, 100*(base-with)/base)
	}
	return nil
}

// generate fills the requests table with n synthetic rows, printing
// progress, and returns the insert rate in rows per second.
func generate(ctx context.Context, w warehouse.Warehouse, n int) (float64, error) {
	if err := w.Exec(ctx, "TRUNCATE TABLE requests", nil); err != nil {
		return 0, err
	}
	const chunk = 5_000_000
	start := time.Now()
	for from := 0; from < n; from += chunk {
		count := min(chunk, n-from)
		p := opsbot.Params{"day": "2026-11-22 00:00:00.000", "n": strconv.Itoa(n), "from": strconv.Itoa(from), "count": strconv.Itoa(count)}
		if err := w.Exec(ctx, genSQL, p); err != nil {
			return 0, fmt.Errorf("generate rows: %w", err)
		}
		done := from + count
		el := time.Since(start)
		fmt.Printf("\r  generated %d/%d rows (%.0f%%), %s elapsed   ", done, n, 100*float64(done)/float64(n), el.Round(time.Second))
	}
	fmt.Println()
	return float64(n) / time.Since(start).Seconds(), nil
}
