package edgelog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// cloudFrontLines generates n realistic legacy CloudFront lines (all 33
// fields) after the header.
func cloudFrontLines(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n")
	paths := []string{"/", "/index.html", "/static/app.3f9a1c.js", "/static/site.css", "/api/v1/items", "/images/hero-1920.jpg", "/login", "/wp-login.php"}
	uas := []string{"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/120.0.0.0%20Safari/537.36",
		"Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_1%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.1%20Mobile/15E148%20Safari/604.1",
		"curl/8.4.0", "python-requests/2.31.0"}
	status := []string{"200", "200", "200", "304", "404", "403", "500", "000"}
	results := []string{"Hit", "Miss", "RefreshHit", "Error"}
	for i := 0; i < n; i++ {
		s := i % 3600
		b.WriteString("2026-11-22\t")
		b.WriteString(two(s/3600+10) + ":" + two(s/60%60) + ":" + two(s%60))
		b.WriteString("\tFRA56-P1\t")
		b.WriteString(strconv.Itoa(200 + rng.IntN(50000)))
		b.WriteString("\t")
		if i%10 == 0 {
			b.WriteString("2001:db8:" + strconv.FormatInt(int64(rng.IntN(65536)), 16) + "::" + strconv.FormatInt(int64(rng.IntN(65536)), 16))
		} else {
			b.WriteString(strconv.Itoa(rng.IntN(223)+1) + "." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(rng.IntN(256)) + "." + strconv.Itoa(rng.IntN(256)))
		}
		res := results[rng.IntN(len(results))]
		b.WriteString("\tGET\td111111abcdef8.cloudfront.net\t" + paths[rng.IntN(len(paths))] + "\t" + status[rng.IntN(len(status))] +
			"\thttps://www.example.com/\t" + uas[rng.IntN(len(uas))] + "\t")
		if i%4 == 0 {
			b.WriteString("q=" + strconv.Itoa(rng.IntN(1000)))
		} else {
			b.WriteString("-")
		}
		b.WriteString("\t-\t" + res + "\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdR" + strconv.Itoa(100000+i) +
			"==\twww.example.com\thttps\t" + strconv.Itoa(100+rng.IntN(900)) + "\t0." + strconv.Itoa(rng.IntN(1000)) + "\t")
		if i%20 == 0 {
			b.WriteString("203.0.113." + strconv.Itoa(rng.IntN(256)) + ",%2010.0.0.1")
		} else {
			b.WriteString("-")
		}
		b.WriteString("\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t" + res + "\tHTTP/2.0\t-\t-\t" + strconv.Itoa(1024+rng.IntN(60000)) +
			"\t0.001\t" + res + "\ttext/html\t" + strconv.Itoa(rng.IntN(50000)) + "\t-\t-\n")
	}
	return b.Bytes()
}

func two(n int) string {
	return string([]byte{byte('0' + n/10%10), byte('0' + n%10)})
}

// BenchmarkCloudFront measures the CloudFront parser alone (plain text in
// memory to Arrow batches) and reports lines/s.
//
//	go test -run '^$' -bench BenchmarkCloudFront -benchtime 20x ./edgelog
func BenchmarkCloudFront(b *testing.B) {
	const lines = 100_000
	data := cloudFrontLines(lines)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		rd, err := NewReader(CloudFront, bytes.NewReader(data), Options{Object: "bench/obj.gz"})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			rec, rej, err := rd.Next()
			if len(rej) > 0 {
				b.Fatalf("rejects: %+v", rej[0])
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows += int(rec.NumRows())
			rec.Release()
		}
		if rows != lines {
			b.Fatalf("%d rows, want %d", rows, lines)
		}
	}
	reportRates(b, lines*b.N, cpu0)
}

// reportRates reports lines per wall second and per CPU second of this
// process: the machine is shared, and the second figure is what one core
// does whatever the others are doing (GC work included).
func reportRates(b *testing.B, lines int, cpu0 time.Duration) {
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(lines)/cpu.Seconds(), "lines/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInsertCloudFront measures parsing and inserting 100k CloudFront
// lines into the embedded engine's requests table, one after the other in
// one goroutine (the ingest pipeline overlaps them).
//
//	go test -run '^$' -bench BenchmarkInsertCloudFront -benchtime 5x ./edgelog
func BenchmarkInsertCloudFront(b *testing.B) {
	w := warehousetest.Embedded(b)
	ctx := context.Background()
	const lines = 100_000
	data := cloudFrontLines(lines)
	var parse, insert time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		warehousetest.Truncate(b, w, "requests") // every iteration into the same, fresh table
		b.StartTimer()
		rd, err := NewReader(CloudFront, bytes.NewReader(data), Options{Object: "bench/insert.gz"})
		if err != nil {
			b.Fatal(err)
		}
		for {
			t0 := time.Now()
			rec, _, err := rd.Next()
			parse += time.Since(t0)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			t0 = time.Now()
			if err := w.Insert(ctx, "requests", rec, warehouse.InsertOptions{}); err != nil {
				b.Fatal(err)
			}
			insert += time.Since(t0)
			rec.Release()
		}
	}
	b.StopTimer()
	n := float64(lines * b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(n/parse.Seconds(), "parse-rows/s")
	b.ReportMetric(n/insert.Seconds(), "insert-rows/s")
	b.ReportMetric(n/(cpuTime()-cpu0).Seconds(), "rows/cpu-s") // the engine's threads included
	warehousetest.Truncate(b, w, "requests")
}

// BenchmarkParsers measures each line format on its golden sample's first
// lines, repeated to 100k lines.
//
//	go test -run '^$' -bench BenchmarkParsers -benchtime 10x ./edgelog
func BenchmarkParsers(b *testing.B) {
	for _, c := range []struct {
		f     Format
		file  string
		lines int
	}{{ALB, "alb.log", 6}, {Combined, "combined.log", 5}, {Cloudflare, "cloudflare.ndjson", 3},
		{Fastly, "fastly.log", 5}, {CloudFrontV2JSON, "cloudfront-v2.ndjson", 2}} {
		b.Run(string(c.f), func(b *testing.B) {
			raw, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				b.Fatal(err)
			}
			sample := bytes.SplitAfter(raw, []byte("\n"))[:c.lines]
			var data []byte
			n := 0
			for n < 100_000 {
				for _, l := range sample {
					data = append(data, l...)
					n++
				}
			}
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rd, _ := NewReader(c.f, bytes.NewReader(data), Options{Object: "bench"})
				rows := 0
				for {
					rec, rej, err := rd.Next()
					if len(rej) > 0 {
						b.Fatalf("reject %+v", rej[0])
					}
					if err != nil {
						break
					}
					rows += int(rec.NumRows())
					rec.Release()
				}
				if rows != n {
					b.Fatalf("%d rows, want %d", rows, n)
				}
			}
			reportRates(b, n*b.N, cpu0)
		})
	}
}
