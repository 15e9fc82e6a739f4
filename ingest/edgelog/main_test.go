package edgelog

import (
	"testing"

	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestMain closes the shared embedded engine after the tests.
func TestMain(m *testing.M) { warehousetest.Main(m) }
