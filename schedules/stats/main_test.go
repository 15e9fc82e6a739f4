package stats_test

import (
	"testing"

	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestMain closes the shared embedded engine before the process exits.
func TestMain(m *testing.M) { warehousetest.Main(m) }
