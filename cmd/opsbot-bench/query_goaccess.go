package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse"
)

// benchGoAccess compares "top requests by path" for a generated day of n
// CloudFront lines: GoAccess parsing the raw log (its only way to answer)
// against opsbot answering from the same lines loaded into the engine.
func benchGoAccess(ctx context.Context, w warehouse.Warehouse, n int) error {
	fmt.Printf("\n== GoAccess vs opsbot: top paths over a day of %s CloudFront lines ==\n", text.Value(uint64(n)))
	bin, err := exec.LookPath("goaccess")
	if err != nil {
		fmt.Println("goaccess is not installed: skipping (install it with `apt-get install goaccess`)")
		return nil
	}
	lines := loggen.Generate(loggen.Options{Start: benchDay, Duration: 24 * time.Hour, Lines: n, Seed: 3})
	gaTime, cleanup, err := runGoAccess(ctx, bin, lines)
	if err != nil {
		return err
	}
	defer cleanup()
	out := goaccessOut
	ga, err := goaccessPaths(out)
	if err != nil {
		return err
	}
	if err := w.Exec(ctx, "TRUNCATE TABLE requests", nil); err != nil {
		return err
	}
	rec := lineRecord(lines)
	defer rec.Release()
	if err := w.Insert(ctx, "requests", rec, warehouse.InsertOptions{}); err != nil {
		return err
	}
	e := query.New(w, query.Options{})
	var best time.Duration
	var r *opsbot.Result
	for i := 0; i < 5; i++ {
		t := time.Now()
		rep, err := e.Ask(ctx, "top 10 requests by path yesterday", benchDay.Add(30*time.Hour))
		if err != nil {
			return err
		}
		if d := time.Since(t); i == 0 || d < best {
			best = d
		}
		r = rep.Table
	}
	// GoAccess rejects CloudFront's status 000 lines (its "failed requests"):
	// compare with opsbot's counts less its 000s per path.
	zero, err := e.Ask(ctx, "top 1000 000 by path yesterday", benchDay.Add(30*time.Hour))
	if err != nil {
		return err
	}
	zeros := map[string]uint64{}
	for _, row := range zero.Table.Rows {
		zeros[row[0].(string)] = row[1].(uint64)
	}
	agree := 0
	for _, row := range r.Rows {
		if ga[row[0].(string)] == row[1].(uint64)-zeros[row[0].(string)] {
			agree++
		}
	}
	fmt.Printf("goaccess (parse + report): %s   opsbot top requests by path: %s   ratio %.0fx\n", ms(gaTime), ms(best), float64(gaTime)/float64(best))
	fmt.Printf("the top 10 paths' counts (less status 000, which GoAccess rejects) agree for %d of %d paths\n", agree, len(r.Rows))
	for _, row := range r.Rows {
		p := row[0].(string)
		fmt.Printf("  %-24s opsbot %8d (000: %4d)  goaccess %8d\n", p, row[1], zeros[p], ga[p])
	}
	return nil
}

// goaccessPaths sums GoAccess's requested-files, static-files and not-found
// panels by path (it splits requests across those three panels, and a path
// by method and protocol).
func goaccessPaths(file string) (map[string]uint64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	type panel struct {
		Data []struct {
			Data string `json:"data"`
			Hits struct {
				Count uint64 `json:"count"`
			} `json:"hits"`
		} `json:"data"`
	}
	var rep struct {
		Requests panel `json:"requests"`
		Static   panel `json:"static_requests"`
		NotFound panel `json:"not_found"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("goaccess report: %w", err)
	}
	out := map[string]uint64{}
	for _, p := range []panel{rep.Requests, rep.Static, rep.NotFound} {
		for _, d := range p.Data {
			path, _, _ := strings.Cut(d.Data, "?") // its CloudFront format keeps "?query" (or "?-")
			out[path] += d.Hits.Count
		}
	}
	return out, nil
}

func lineRecord(ls []loggen.Line) arrow.Record {
	str := func(n string) arrow.Field { return arrow.Field{Name: n, Type: arrow.BinaryTypes.String} }
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		str("client_ip"), {Name: "status", Type: arrow.PrimitiveTypes.Uint16}, str("method"), str("host"), str("path"),
		str("user_agent"), str("referer"), {Name: "bytes_out", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "time_taken", Type: arrow.PrimitiveTypes.Float32}, str("edge_location"),
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, l := range ls {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(l.TS.UnixMilli()))
		for i, s := range map[int]string{1: l.ClientIP, 3: l.Method, 4: l.Host, 5: l.Path, 6: l.UserAgent, 7: l.Referer, 10: l.EdgeLocation} {
			b.Field(i).(*array.StringBuilder).Append(s)
		}
		b.Field(2).(*array.Uint16Builder).Append(uint16(l.Status))
		b.Field(8).(*array.Uint64Builder).Append(uint64(l.BytesOut))
		b.Field(9).(*array.Float32Builder).Append(float32(l.TimeTaken))
	}
	return b.NewRecord()
}

// goaccessOut is where runGoAccess leaves GoAccess's JSON report.
var goaccessOut string

// runGoAccess writes lines as a CloudFront log and times GoAccess parsing
// it into a JSON report (goaccessOut until cleanup).
func runGoAccess(ctx context.Context, bin string, lines []loggen.Line) (time.Duration, func(), error) {
	dir, err := os.MkdirTemp("", "opsbot-bench-goaccess-")
	if err != nil {
		return 0, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	logPath := filepath.Join(dir, "cloudfront.log")
	if err := writeCloudFront(logPath, lines); err != nil {
		cleanup()
		return 0, nil, err
	}
	goaccessOut = filepath.Join(dir, "report.json")
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, bin, logPath, "--log-format=CLOUDFRONT", "--no-query-string", "--no-global-config", "-o", goaccessOut)
	if b, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return 0, nil, fmt.Errorf("goaccess: %v: %s", err, b)
	}
	return time.Since(t0), cleanup, nil
}

func writeCloudFront(path string, lines []loggen.Line) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cw, err := loggen.NewCloudFrontWriter(f, "E2OPSBOTBENCH")
	if err != nil {
		return err
	}
	for i := range lines {
		if err := cw.Write(&lines[i]); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
