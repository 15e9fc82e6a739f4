package actions_test

import (
	"os"
	"sync"
	"testing"

	"github.com/opsbot/opsbot/warehouse/chdb"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

var (
	engineMu sync.Mutex
	engine   *chdb.Warehouse
)

// embedded is warehousetest.Embedded, remembered so that TestMain closes
// it: a process that exits with the engine open can crash under -race.
func embedded(t testing.TB) *chdb.Warehouse {
	w := warehousetest.Embedded(t)
	engineMu.Lock()
	engine = w
	engineMu.Unlock()
	return w
}

func TestMain(m *testing.M) {
	code := m.Run()
	if engine != nil {
		engine.Close()
	}
	os.Exit(code)
}
