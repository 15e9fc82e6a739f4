package auditlog_test

import (
	"testing"

	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// embedded is this test process's shared, migrated engine.
var embedded = warehousetest.Embedded
