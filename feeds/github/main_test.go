package github_test

import (
	"testing"

	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }
