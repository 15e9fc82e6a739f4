package query_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse"
)

// TestTopClientsCertifiedEqualsScan: on the generated day, every certified
// top-clients answer is the scan's (top_by_ip), row for row, and the
// everyday phrases are certified.
func TestTopClientsCertifiedEqualsScan(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	end, at := day.Add(24*time.Hour), day.Add(10*time.Hour+20*time.Minute)
	for _, c := range []struct {
		phrase    string
		now       time.Time
		certified bool // must be
	}{
		{"top 4xx by ip last 24h", end, true},
		{"top requests by ip last 24h", end, true},
		{"top 25 4xx by ip last 24h", end, true},
		{"top 4xx by ip for /blargh last 24h", end, true},
		{"top requests by ip for 404 last 24h", end, true},
		{"top 5 requests by ip for 100.0.0.0/6 last 24h", end, false},
		{"top requests by ip for /donate on www.example.org last 24h", end, false},
		{"top 4xx by ip for 503 last 24h", end, true},
		{"top 4xx ips 2h", at, true},
		{"top 5xx by ip last 24h", at, true},
	} {
		t.Run(c.phrase, func(t *testing.T) {
			cert := checkAgainstScan(t, e, c.phrase, c.now)
			if c.certified && !cert.Certified {
				t.Errorf("not certified: %+v", cert)
			}
		})
	}
}

// checkAgainstScan runs phrase's top_by_ip both ways and fails unless a
// certified answer is the scan's.
func checkAgainstScan(t *testing.T, e *query.Engine, phrase string, now time.Time) query.Certificate {
	t.Helper()
	pl, err := e.Plan(phrase, now)
	if err != nil {
		t.Fatal(err)
	}
	got, cert, err := e.TopClients(context.Background(), pl.Params)
	if err != nil {
		t.Fatal(err)
	}
	scan, _, err := e.Run(context.Background(), "top_by_ip", pl.Params, now)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Certified != (got != nil) {
		t.Fatalf("certified %v with answer %v", cert.Certified, got != nil)
	}
	if got != nil && !reflect.DeepEqual(counts(got), counts(scan)) {
		t.Fatalf("certified answer differs from the scan (%+v):\n got %v\nwant %v", cert, counts(got), counts(scan))
	}
	return cert
}

// counts are a top_by_ip answer's ip, requests and bytes, in order.
func counts(r *opsbot.Result) [][3]any {
	var out [][3]any
	for _, row := range r.Rows {
		out = append(out, [3]any{row[r.Col("ip")], row[r.Col("requests")], row[r.Col("bytes")]})
	}
	return out
}

// TestAskUsesTheCertifiedAnswer: the chat answer says when it came from the
// summaries.
func TestAskUsesTheCertifiedAnswer(t *testing.T) {
	w, _ := load(t)
	r, err := query.New(w, query.Options{}).Ask(context.Background(), "top 4xx by ip last 24h", day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Context, "proven from the hourly top-client summaries") {
		t.Errorf("context %q does not say the answer was proven", r.Context)
	}
}

// adversarialDay inserts a day of rows built hour by hour (one insert, so
// one summary block, per hour): each row of spec is a client range, the
// requests each client sends per hour, and whether the clients change every
// hour. It returns the day's end.
func adversarialDay(t *testing.T, w warehouse.Warehouse, start time.Time, spec []clients) time.Time {
	t.Helper()
	for h := range 24 {
		var parts []string
		for _, c := range spec {
			first := c.first
			if c.fresh {
				first += uint32(h * c.n)
			}
			parts = append(parts, fmt.Sprintf(
				"SELECT toIPv6(toIPv4(%d + intDiv(number, %d))) AS ip FROM numbers(%d)", first, c.each, c.n*c.each))
		}
		q := fmt.Sprintf(`INSERT INTO requests (ts, client_ip, status, path, source)
SELECT toDateTime64('%s', 3, 'UTC') + toIntervalMillisecond(rowNumberInAllBlocks() %% 3600000), ip, 200, '/', 'adversarial'
FROM (%s)`, start.Add(time.Duration(h)*time.Hour).Format(time.DateTime), strings.Join(parts, " UNION ALL "))
		if err := w.Exec(context.Background(), q, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { // the day and its month of summaries, alone in their partitions
		for _, q := range []string{
			fmt.Sprintf("ALTER TABLE requests DROP PARTITION '%s'", start.Format(time.DateOnly)),
			fmt.Sprintf("ALTER TABLE requests_top_clients DROP PARTITION %s", start.Format("200601")),
		} {
			if err := w.Exec(context.Background(), q, nil); err != nil {
				t.Error(err)
			}
		}
	})
	return start.Add(24 * time.Hour)
}

// clients are n clients from IPv4 number first, each sending each requests
// per hour; fresh ones are new clients every hour.
type clients struct {
	first   uint32
	n, each int
	fresh   bool
}

const ip10 = 167772160 // 10.0.0.0

// TestCertificateRefusesOneClientSpreadOverTheDay: 300 new clients an hour
// send 10 requests each (so the lists hold 256 of them and the cutoff is
// 10), while one client sends 9 every hour: never listed, yet the day's
// heaviest (216). The certificate must refuse and the answer be the scan's.
func TestCertificateRefusesOneClientSpreadOverTheDay(t *testing.T) {
	w, _ := load(t)
	end := adversarialDay(t, w, day.AddDate(0, 1, 0), []clients{
		{first: ip10 + 1_000_000, n: 300, each: 10, fresh: true},
		{first: ip10, n: 1, each: 9},
	})
	checkRefused(t, w, "top requests by ip last 24h", end, [][3]any{{"10.0.0.0", uint64(216)}})
}

// TestCertificateRefusesManyClientsJustUnderTheCutoff: every hour 300 new
// clients send 20 requests (the lists' cutoff), 1,000 steady clients send
// 19 (456 a day, never listed) and 5 heavy clients 100 (2,400 a day). The
// top 5 are proven; the top 6 reach the unlisted and must be refused.
func TestCertificateRefusesManyClientsJustUnderTheCutoff(t *testing.T) {
	w, _ := load(t)
	end := adversarialDay(t, w, day.AddDate(0, 2, 0), []clients{
		{first: ip10 + 1_000_000, n: 300, each: 20, fresh: true},
		{first: ip10 + 100, n: 1000, each: 19},
		{first: ip10, n: 5, each: 100},
	})
	e := query.New(w, query.Options{})
	if c := checkAgainstScan(t, e, "top 5 requests by ip last 24h", end); !c.Certified {
		t.Errorf("top 5 not certified: %+v", c)
	}
	checkRefused(t, w, "top 6 requests by ip last 24h", end, [][3]any{
		{"10.0.0.0", uint64(2400)}, {"10.0.0.1", uint64(2400)}, {"10.0.0.2", uint64(2400)},
		{"10.0.0.3", uint64(2400)}, {"10.0.0.4", uint64(2400)}, {"10.0.0.100", uint64(456)}})
}

// checkRefused: the summaries refuse phrase, and the chat answer (the scan)
// starts with want (ip, requests).
func checkRefused(t *testing.T, w warehouse.Warehouse, phrase string, now time.Time, want [][3]any) {
	t.Helper()
	e := query.New(w, query.Options{})
	if c := checkAgainstScan(t, e, phrase, now); c.Certified || c.Tries != 2 {
		t.Fatalf("certified (or gave up early) on data built to refuse it: %+v", c)
	}
	r, err := e.Ask(context.Background(), phrase, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Context, "proven") {
		t.Errorf("context %q claims a proof", r.Context)
	}
	for i, row := range counts(r.Table)[:len(want)] {
		if row[0] != want[i][0] || row[1] != want[i][1] {
			t.Fatalf("row %d = %v, want %v", i, row, want[i])
		}
	}
}

// TestCertificateRefusesHoursTheSummariesMiss: an hour whose summaries are
// gone is not trusted: with an IP range (no hourly count to fall back on)
// the summaries refuse, and the answer is still the scan's.
func TestCertificateRefusesHoursTheSummariesMiss(t *testing.T) {
	w, _ := load(t)
	start := day.AddDate(0, 3, 0)
	end := adversarialDay(t, w, start, []clients{{first: ip10, n: 5, each: 100}, {first: ip10 + 10, n: 300, each: 3, fresh: true}})
	q := fmt.Sprintf("ALTER TABLE requests_top_clients DELETE WHERE hour = '%s' SETTINGS mutations_sync = 1", start.Add(5*time.Hour).Format(time.DateTime))
	if err := w.Exec(context.Background(), q, nil); err != nil {
		t.Fatal(err)
	}
	e := query.New(w, query.Options{})
	if c := checkAgainstScan(t, e, "top 3 requests by ip for 10.0.0.0/8 last 24h", end); c.Certified {
		t.Errorf("certified with an hour missing from the summaries: %+v", c)
	}
	if c := checkAgainstScan(t, e, "top 3 requests by ip last 24h", end); !c.Certified {
		t.Errorf("not certified although the hour's count bounds it: %+v", c)
	}
}

// TestTopClientsForTheReport: the report's call gives the scan's answer,
// with the columns it reads (ip, requests, bytes, top_path).
func TestTopClientsForTheReport(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	got, err := e.TopClientsBetween(context.Background(), day, day.Add(24*time.Hour), 400, 499, 5)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := e.Plan("top 5 4xx by ip last 24h", day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	scan, _, err := e.Run(context.Background(), "top_by_ip", pl.Params, day)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(counts(got), counts(scan)) || got.Col("top_path") < 0 {
		t.Fatalf("answer %v, want %v", counts(got), counts(scan))
	}
}
