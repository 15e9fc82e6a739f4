package chdb_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestSuite(t *testing.T) {
	warehousetest.RunSuite(t, warehousetest.Embedded(t))
}

func TestSecondOpenOfTheFolderNamesTheOwner(t *testing.T) {
	w := warehousetest.Embedded(t)
	_, err := chdb.Open(w.Dir())
	if !errors.Is(err, warehouse.ErrLocked) {
		t.Fatalf("second open of %s: %v, want ErrLocked", w.Dir(), err)
	}
	if !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("error does not name the owner: %v", err)
	}
}

// A NUL byte would cut the statement, and the limits appended after it,
// at the C API: such a statement is refused, never run without them.
func TestNULRefused(t *testing.T) {
	w := warehousetest.Embedded(t)
	for _, q := range []string{"SELECT getSetting('readonly')\x00", "SELECT 1 -- \x00"} {
		if _, err := w.Query(t.Context(), q, nil, warehouse.ReadOnly()); err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("Query %q: %v", q, err)
		}
		if _, err := w.Stream(t.Context(), q, nil, func([]any) error { return nil }, warehouse.ReadOnly()); err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("Stream %q: %v", q, err)
		}
	}
}

// The limits ride on the statement's last SELECT (chDB's C API takes no
// settings): they must reach every SELECT of a UNION and every subquery.
func TestLimitsReachEverySelect(t *testing.T) {
	w := warehousetest.Embedded(t)
	q := "SELECT getSetting('readonly') AS r, getSetting('max_memory_usage') AS m UNION ALL SELECT * FROM (SELECT getSetting('readonly'), getSetting('max_memory_usage')) UNION ALL SELECT getSetting('readonly'), getSetting('max_memory_usage')"
	res, err := w.Query(t.Context(), q, nil, warehouse.ReadOnly(), warehouse.MaxMemory(123456789))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 {
		t.Fatalf("%d rows", len(res.Rows))
	}
	for _, r := range res.Rows {
		if fmt.Sprint(r[0]) != "1" || fmt.Sprint(r[1]) != "123456789" {
			t.Errorf("a SELECT ran with readonly=%v, max_memory_usage=%v", r[0], r[1])
		}
	}
}

// With the engine running, a nil dereference in Go is still a panic that
// recover() sees (the engine's own fault handlers would kill the process).
func TestGoPanicsSurviveTheEngine(t *testing.T) {
	warehousetest.Embedded(t)
	var p *struct{ x int }
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	_ = p.x
}

// `make chdb` fetches the version the binding is built against: the one
// place it is written in Go, and the script, agree.
func TestVersionMatchesFetchScript(t *testing.T) {
	b, err := os.ReadFile("../../scripts/fetch-chdb.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version=(\S+)$`).FindSubmatch(b)
	if m == nil || string(m[1]) != chdb.Version {
		t.Fatalf("scripts/fetch-chdb.sh fetches %q, the binding is built for %s", m, chdb.Version)
	}
}
