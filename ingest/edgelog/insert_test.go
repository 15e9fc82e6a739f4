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
			recs, _ := readGoldenInput(t, g, input, Options{Object: obj, BatchRows: 2, RequestIDs: true})
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

// TestInsertAddresses: the 16-byte addresses are the ones ClickHouse's own
// toIPv6 makes of the text (IPv4 mapped into ::ffff:0:0/96), and a missing
// forwarded address is NULL.
func TestInsertAddresses(t *testing.T) {
	w := warehousetest.Embedded(t)
	obj := "insert-test/addresses"
	input := "#Fields: date time c-ip cs-method cs-uri-stem sc-status x-forwarded-for\n" +
		"2026-11-22\t10:00:00\t192.0.2.100\tGET\t/\t200\t-\n" +
		"2026-11-22\t10:00:00\t2001:db8::5:6\tGET\t/\t200\t198.51.100.7,%2010.0.0.1\n" +
		"2026-11-22\t10:00:00\t::ffff:203.0.113.9\tGET\t/\t200\t2001:db8::1\n"
	recs, rej := readAll(t, CloudFront, input, Options{Object: obj})
	if len(rej) != 0 || len(recs) != 1 {
		t.Fatalf("%d batches, rejects %v", len(recs), rej)
	}
	if err := w.Insert(context.Background(), "requests", recs[0], warehouse.InsertOptions{DedupToken: obj}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Query(context.Background(), `SELECT
		countIf(client_ip = toIPv6('192.0.2.100') AND forwarded_ip IS NULL),
		countIf(client_ip = toIPv6('2001:db8::5:6') AND forwarded_ip = toIPv6('198.51.100.7')),
		countIf(toString(client_ip) = '::ffff:203.0.113.9' AND forwarded_ip = toIPv6('2001:db8::1')),
		countIf(isIPAddressInRange(replaceOne(toString(client_ip), '::ffff:', ''), '192.0.2.0/24'))
		FROM requests WHERE source_object = {obj:String}`, opsbot.Params{"obj": obj})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint64{1, 1, 1, 1} {
		if got := res.Rows[0][i]; got != want {
			t.Errorf("check %d: %v rows, want %d", i, got, want)
		}
	}
}
