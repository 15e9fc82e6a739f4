package edgelog

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestInsertReadBack inserts every golden file's batches into the embedded
// engine's requests table and reads them back: each column of each row
// equals what the golden file, read by hand from the raw lines, says.
func TestInsertReadBack(t *testing.T) {
	w := warehousetest.Embedded(t)
	ctx := context.Background()
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			g := loadGolden(t, name)
			obj := "insert-test/" + name
			input, err := os.ReadFile(filepath.Join("testdata", g.Input))
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := readGoldenInput(t, g, input, Options{Object: obj, BatchRows: 2})
			for i, rec := range recs {
				tok := obj + "#" + strconv.Itoa(i)
				if err := w.Insert(ctx, "requests", rec, warehouse.InsertOptions{DedupToken: tok}); err != nil {
					t.Fatalf("insert: %v", err)
				}
			}
			got := readBack(t, w, obj)
			if len(got) != len(g.Rows) {
				t.Fatalf("read back %d rows, want %d", len(got), len(g.Rows))
			}
			for i := range got {
				want := defaults(g.Format)
				want["source_object"] = obj
				for k, v := range g.Rows[i] {
					want[k] = v
				}
				if d := diffMaps(got[i], want); d != "" {
					t.Errorf("row %d:\n%s", i, d)
				}
			}
		})
	}
}

func readBack(t *testing.T, w warehouse.Warehouse, obj string) []map[string]any {
	t.Helper()
	res, err := w.Query(context.Background(),
		"SELECT * FROM requests WHERE source_object = {obj:String} ORDER BY source_line",
		opsbot.Params{"obj": obj})
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	var out []map[string]any
	for _, r := range res.Rows {
		m := map[string]any{}
		for c, col := range res.Columns {
			m[col.Name] = engineValue(t, col.Name, r[c])
		}
		out = append(out, m)
	}
	return out
}

// engineValue brings a value read from ClickHouse to rowMaps' forms.
func engineValue(t *testing.T, col string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 32), 64)
		return v
	case string:
		if col == "client_ip" || col == "forwarded_ip" {
			a, err := netip.ParseAddr(x)
			if err != nil {
				t.Fatalf("%s %q from the engine: %v", col, x, err)
			}
			return a.Unmap().String()
		}
		return x
	}
	t.Fatalf("%s: unexpected %T from the engine", col, v)
	return nil
}

// TestRecordOwnsBuffers: a record's buffers go back to the recycler on its
// last Release and are not freed before (Arrow's memory checker counts
// every allocation and free).
func TestRecordOwnsBuffers(t *testing.T) {
	recs, _ := readAll(t, CloudFront, string(cloudFrontLines(100)), Options{BatchRows: 40})
	for _, rec := range recs {
		for c := 0; c < int(rec.NumCols()); c++ {
			for _, b := range rec.Column(c).Data().Buffers() {
				if b != nil && b.Len() > 0 && b.Buf() == nil {
					t.Fatalf("column %s: buffer freed while the record lives", rec.ColumnName(c))
				}
			}
		}
		bufs := rec.Column(colPath).Data().Buffers()
		rec.Release()
		if bufs[2].Buf() != nil {
			t.Fatalf("path data not recycled after the record's release")
		}
	}
}
