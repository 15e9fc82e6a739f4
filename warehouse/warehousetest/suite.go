package warehousetest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// RunSuite checks the warehouse contract on w. Every backend runs it: the
// embedded engine always, the server when OPSBOT_TEST_CLICKHOUSE is set.
func RunSuite(t *testing.T, w warehouse.Warehouse) {
	ctx := context.Background()
	t.Run("TypedValues", func(t *testing.T) { testTypedValues(t, ctx, w) })
	t.Run("BoundParametersAreNotSQL", func(t *testing.T) { testParams(t, ctx, w) })
	t.Run("StringParamsHoldEveryByte", func(t *testing.T) { testParamBytes(t, ctx, w) })
	t.Run("Stream", func(t *testing.T) { testStream(t, ctx, w) })
	t.Run("InsertArrowAndDedup", func(t *testing.T) { testInsert(t, ctx, w) })
	t.Run("InsertManyIsOnePart", func(t *testing.T) { testInsertMany(t, ctx, w) })
	t.Run("Limits", func(t *testing.T) { testLimits(t, ctx, w) })
	t.Run("MigrateTwice", func(t *testing.T) { testMigrate(t, ctx, w) })
}

func testTypedValues(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	res, err := w.Query(ctx, `SELECT toUInt64(42) AS u, toInt32(-7) AS i, toFloat32(1.5) AS f,
		'héllo' AS s, toDateTime64('2026-11-22 06:00:01.250', 3, 'UTC') AS t, toIPv6('1.2.3.4') AS ip4,
		toIPv6('2001:db8::1') AS ip6, CAST(NULL, 'Nullable(String)') AS n, [1, 2, 3] AS a, true AS b,
		toLowCardinality('lc') AS lc, toDate('2026-11-22') AS d`, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{uint64(42), int64(-7), 1.5, "héllo", time.Date(2026, 11, 22, 6, 0, 1, 250e6, time.UTC),
		"::ffff:1.2.3.4", "2001:db8::1", nil, []any{uint64(1), uint64(2), uint64(3)}, true, "lc",
		time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	if len(res.Rows) != 1 {
		t.Fatalf("got %d rows", len(res.Rows))
	}
	for i, v := range res.Rows[0] {
		if fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", want[i]) {
			t.Errorf("column %s (%s): got %#v, want %#v", res.Columns[i].Name, res.Columns[i].Type, v, want[i])
		}
	}
}

func testParams(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	hostile := "x'; DROP TABLE schema_migrations; --\n\ttab \\N back\\slash"
	res, err := w.Query(ctx, "SELECT {s:String} AS s, {n:UInt32} + 1 AS n, {t:DateTime64(3)} AS t",
		opsbot.Params{"s": hostile, "n": "41", "t": "2026-11-22 10:00:00.000"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0][0]; got != hostile {
		t.Fatalf("string param came back as %q", got)
	}
	if got := res.Rows[0][1]; got != uint64(42) {
		t.Fatalf("n+1 = %#v", got)
	}
	if _, err := w.Query(ctx, "SELECT count() FROM schema_migrations", nil); err != nil {
		t.Fatalf("schema_migrations gone after hostile param: %v", err)
	}
	if _, err := w.Query(ctx, "SELECT {n:UInt32}", opsbot.Params{"n": "not a number"}); err == nil {
		t.Fatal("a value that does not parse as its type was accepted")
	}
}

// testParamBytes binds every byte 0x00–0xFF, alone, between others, and
// after a backslash, as a String parameter and compares it in the engine
// with the bytes decoded from hex: no result encoding is involved.
func testParamBytes(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
		for _, v := range []string{string([]byte{byte(b)}), "a" + string([]byte{byte(b)}) + "z", `\` + string([]byte{byte(b)}), "'" + string([]byte{byte(b)}) + `\`} {
			checkParamBytes(t, ctx, w, v)
		}
	}
	checkParamBytes(t, ctx, w, string(all))
	checkParamBytes(t, ctx, w, strings.Repeat(string(all), 8))
}

func checkParamBytes(t *testing.T, ctx context.Context, w warehouse.Warehouse, v string) {
	t.Helper()
	res, err := w.Query(ctx, "SELECT {p:String} = unhex({h:String}), length({p:String})", opsbot.Params{"p": v, "h": hex.EncodeToString([]byte(v))})
	if err != nil {
		t.Errorf("bind %q: %v", v, err)
		return
	}
	if eq, n := warehouse.Uint64(res.Rows[0][0]), warehouse.Uint64(res.Rows[0][1]); eq != 1 || n != uint64(len(v)) {
		t.Errorf("bound %q (%d bytes): the engine saw %d bytes, equal %d", v, len(v), n, eq)
	}
}

func testStream(t *testing.T, ctx context.Context, w warehouse.Warehouse) {
	n, sum := 0, uint64(0)
	cols, err := w.Stream(ctx, "SELECT number AS k, toString(number) AS s FROM numbers({n:UInt32})",
		opsbot.Params{"n": "250000"}, func(row []any) error {
			if row[0].(uint64) != uint64(n) || row[1].(string) != fmt.Sprint(n) {
				return fmt.Errorf("row %d out of order: %v", n, row)
			}
			n++
			sum += row[0].(uint64)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if n != 250000 || sum != 250000*249999/2 || len(cols) != 2 || cols[0].Name != "k" {
		t.Fatalf("streamed %d rows, sum %d, cols %v", n, sum, cols)
	}
	empty := 0
	cols, err = w.Stream(ctx, "SELECT number AS k FROM numbers(10) WHERE number > 100", nil, func([]any) error {
		empty++
		return nil
	})
	if err != nil || empty != 0 || len(cols) != 1 || cols[0].Name != "k" {
		t.Fatalf("empty stream: %d rows, cols %v, err %v", empty, cols, err)
	}
	stop := errors.New("enough")
	seen := 0
	_, err = w.Stream(ctx, "SELECT number FROM numbers(1000000)", nil, func([]any) error {
		seen++
		if seen == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 10 {
		t.Fatalf("stopping a stream: err %v after %d rows", err, seen)
	}
}
