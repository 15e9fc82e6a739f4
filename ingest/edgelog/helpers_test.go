package edgelog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// readAll reads every batch of input in format f.
func readAll(t testing.TB, f Format, input string, o Options) ([]arrow.Record, []Reject) {
	t.Helper()
	rd, err := NewReader(f, strings.NewReader(input), o)
	if err != nil {
		t.Fatalf("NewReader(%s): %v", f, err)
	}
	defer rd.Close()
	var recs []arrow.Record
	var rejects []Reject
	for {
		rec, rej, err := rd.Next()
		rejects = append(rejects, rej...)
		if errors.Is(err, io.EOF) {
			return recs, rejects
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if !rec.Schema().Equal(Schema()) {
			t.Fatalf("batch schema %s, want %s", rec.Schema(), Schema())
		}
		recs = append(recs, rec)
	}
}

// rowMaps turns records into one map per row, keyed by column: times as
// RFC 3339 with milliseconds, addresses as text (IPv4 unmapped), numbers
// as float64 (float32 by its shortest decimal), null as nil.
func rowMaps(recs []arrow.Record) []map[string]any {
	var out []map[string]any
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			m := map[string]any{}
			for c, f := range rec.Schema().Fields() {
				m[f.Name] = cellValue(rec.Column(c), i)
			}
			out = append(out, m)
		}
	}
	return out
}

func cellValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.Timestamp:
		return time.UnixMilli(int64(a.Value(i))).UTC().Format("2006-01-02T15:04:05.000Z")
	case *array.FixedSizeBinary:
		return netip.AddrFrom16([16]byte(a.Value(i))).Unmap().String()
	case *array.String:
		return a.Value(i)
	case *array.Dictionary:
		return a.Dictionary().(*array.String).Value(a.GetValueIndex(i))
	case *array.Uint16:
		return float64(a.Value(i))
	case *array.Uint32:
		return float64(a.Value(i))
	case *array.Uint64:
		return float64(a.Value(i))
	case *array.Float32:
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32), 64)
		return v
	}
	panic("unexpected column type " + col.DataType().String())
}

// golden is a testdata/<name>.json file: the rows and rejects expected from
// testdata/<name>.<ext>, written by reading the sample lines by hand. A row
// lists only its non-empty columns: the others are "" or 0 (forwarded_ip
// null), source is the format and source_object "obj".
type golden struct {
	Format  Format           `json:"format"`
	Input   string           `json:"input"`
	Rows    []map[string]any `json:"rows"`
	Rejects []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"` // a substring of the reason
	} `json:"rejects"`
}

func defaults(f Format) map[string]any {
	m := map[string]any{"forwarded_ip": nil, "source": string(f), "source_object": "obj"}
	for _, fl := range Schema().Fields() {
		if _, ok := m[fl.Name]; ok {
			continue
		}
		switch fl.Type.ID() {
		case arrow.STRING, arrow.DICTIONARY:
			m[fl.Name] = ""
		default:
			m[fl.Name] = float64(0)
		}
	}
	return m
}

func loadGolden(t *testing.T, name string) golden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return g
}

// readGoldenInput reads a golden input, through Decompress when it is
// compressed.
func readGoldenInput(t *testing.T, g golden, input []byte, o Options) ([]arrow.Record, []Reject) {
	t.Helper()
	r, err := Decompress(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, g.Format, string(b), o)
}

func runGolden(t *testing.T, name string) {
	g := loadGolden(t, name)
	input, err := os.ReadFile(filepath.Join("testdata", g.Input))
	if err != nil {
		t.Fatal(err)
	}
	recs, rejects := readGoldenInput(t, g, input, Options{Object: "obj", BatchRows: 3, RequestIDs: true})
	got := rowMaps(recs)
	if len(got) != len(g.Rows) {
		t.Errorf("%d rows, want %d", len(got), len(g.Rows))
	}
	for i := 0; i < min(len(got), len(g.Rows)); i++ {
		want := defaults(g.Format)
		for k, v := range g.Rows[i] {
			if _, ok := want[k]; !ok {
				t.Fatalf("row %d: golden names unknown column %q", i, k)
			}
			want[k] = v
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("row %d (line %v):\n%s", i, got[i]["source_line"], diffMaps(got[i], want))
		}
	}
	checkRejects(t, rejects, g)
}

func checkRejects(t *testing.T, rejects []Reject, g golden) {
	t.Helper()
	if len(rejects) != len(g.Rejects) {
		t.Errorf("%d rejects %+v, want %d", len(rejects), rejects, len(g.Rejects))
		return
	}
	for i, r := range rejects {
		w := g.Rejects[i]
		if r.Line != w.Line || !strings.Contains(r.Reason, w.Reason) {
			t.Errorf("reject %d: line %d %q, want line %d containing %q", i, r.Line, r.Reason, w.Line, w.Reason)
		}
		if r.Raw == "" || len(r.Raw) > MaxRaw {
			t.Errorf("reject %d: raw of %d bytes", i, len(r.Raw))
		}
	}
}

func diffMaps(got, want map[string]any) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if !reflect.DeepEqual(got[k], want[k]) {
			b.WriteString("  " + k + ": got " + strconv.Quote(toS(got[k])) + ", want " + strconv.Quote(toS(want[k])) + "\n")
		}
	}
	return b.String()
}

func toS(v any) string {
	j, _ := json.Marshal(v)
	return string(j)
}
