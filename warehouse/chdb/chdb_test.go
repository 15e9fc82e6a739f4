package chdb_test

import (
	"errors"
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
