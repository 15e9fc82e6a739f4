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
