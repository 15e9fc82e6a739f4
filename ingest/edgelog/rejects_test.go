package edgelog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
)

// junkObject is a CloudFront object of three good lines, then junk lines
// of width bytes (newline included).
func junkObject(t *testing.T, junk, width int) []byte {
	t.Helper()
	var buf bytes.Buffer
	o := loggen.Options{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Lines: 3}
	if _, err := loggen.WriteJunk(&buf, o, junk, width); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readJunk reads data to the end and returns the rows and rejects.
func readJunk(t *testing.T, data []byte, o Options) (rows int, rejects []Reject, tl Tally) {
	rd, err := NewReader(CloudFront, bytes.NewReader(data), o)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for {
		rec, rej, err := rd.Next()
		if len(rej) > MaxRejects {
			t.Fatalf("Next returned %d rejects, over %d", len(rej), MaxRejects)
		}
		rejects = append(rejects, rej...)
		if rec != nil {
			rows += int(rec.NumRows())
			rec.Release()
		}
		if errors.Is(err, io.EOF) {
			return rows, rejects, rd.Tally()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestJunkRejectsAreCountedTheirTextBounded: every junk line is counted;
// the first MaxRejectLines come one by one with their line number, the
// text of those within the first MaxRejectText bytes kept exactly, the
// others' reason saying it was not; past MaxRejectLines the rejects are
// counted in Rejects that say so. Expected values come from the
// generator's parameters.
func TestJunkRejectsAreCountedTheirTextBounded(t *testing.T) {
	const junk, width, keep = 25_000, 300, 5_000
	rows, rejects, tl := readJunk(t, junkObject(t, junk, width), Options{BatchRows: 1000, MaxRejectLines: keep})
	if rows != 3 || CountRejects(rejects) != junk || tl.Rejects != junk || tl.Rows != 3 {
		t.Fatalf("%d rows, %d rejects counted (tally %+v), want 3 and %d", rows, CountRejects(rejects), tl, junk)
	}
	line := strings.Repeat("x", width-1)
	withText := MaxRejectText / len(line)
	var text, counted int
	for i, r := range rejects {
		switch {
		case i >= keep:
			counted += 1 + r.More
			if r.Raw != "" || !strings.Contains(r.Reason, "counted only") {
				t.Fatalf("reject %d past the first %d: %+v, want a count saying so", i, keep, r)
			}
		case r.Line != 6+i || r.More != 0: // lines 1-2 are directives, 3-5 rows
			t.Fatalf("reject %d: line %d (+%d), want line %d alone", i, r.Line, r.More, 6+i)
		case i < withText && r.Raw != line:
			t.Fatalf("reject %d: raw %d bytes, want the %d-byte line", i, len(r.Raw), len(line))
		case i >= withText && (r.Raw != "" || !strings.HasSuffix(r.Reason, textless)):
			t.Fatalf("reject %d past the text budget: raw %d bytes, reason %q", i, len(r.Raw), r.Reason)
		}
		text += len(r.Raw)
	}
	if counted != junk-keep || text != withText*len(line) || text > MaxRejectText {
		t.Errorf("%d rejects counted only, %d bytes of text kept; want %d and %d", counted, text, junk-keep, withText*len(line))
	}
}

// TestJunkRejectsDoNotAllocatePerLine: the allocations of reading an
// object of junk lines grow with the number of Next calls (a few each: the
// reject list, its text as one string, a count), not with its lines:
// 45,000 more junk lines cost less than one allocation per hundred lines
// more, whatever the number of rejects kept one by one.
func TestJunkRejectsDoNotAllocatePerLine(t *testing.T) {
	for _, keep := range []int{-1, 0, 1 << 20} {
		var allocs [2]float64
		for i, junk := range []int{5_000, 50_000} {
			data := junkObject(t, junk, 999)
			allocs[i] = testing.AllocsPerRun(3, func() {
				if n := countJunk(t, data, Options{BatchRows: 1000, MaxRejectLines: keep}); n != int64(junk) {
					t.Fatalf("%d rejects counted, want %d", n, junk)
				}
			})
		}
		t.Logf("MaxRejectLines %d: %.0f and %.0f allocations", keep, allocs[0], allocs[1])
		if more := allocs[1] - allocs[0]; more > 45_000/100 {
			t.Errorf("MaxRejectLines %d: %.0f more allocations for 45,000 more junk lines, want at most 450", keep, more)
		}
	}
}

// countJunk reads data to the end and counts its rejects.
func countJunk(t *testing.T, data []byte, o Options) int64 {
	rd, err := NewReader(CloudFront, bytes.NewReader(data), o)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var n int64
	for {
		rec, rej, err := rd.Next()
		n += CountRejects(rej)
		if rec != nil {
			rec.Release()
		}
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
