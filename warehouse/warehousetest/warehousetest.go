// Package warehousetest gives tests a real ClickHouse: the embedded engine,
// migrated with opsbot's schema, and the server named by
// OPSBOT_TEST_CLICKHOUSE when that is set. It also holds the suite that every
// warehouse backend must pass.
package warehousetest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

var (
	once   sync.Once
	shared *chdb.Warehouse
	dir    string // shared's data folder, removed by Main
	err    error
)

// Embedded returns this test process's embedded engine, migrated. chDB runs
// one engine per process, so every test in a package shares it: tests that
// need empty tables call Truncate. A missing engine library fails the test
// (run `make chdb`), it never skips.
func Embedded(t testing.TB) *chdb.Warehouse {
	t.Helper()
	once.Do(func() {
		dir, err = os.MkdirTemp("", "opsbot-test-")
		if err != nil {
			return
		}
		shared, err = chdb.Open(dir)
		if err != nil {
			return
		}
		err = MigrateAll(context.Background(), shared)
	})
	if err != nil {
		t.Fatalf("embedded engine: %v", err)
	}
	return shared
}

// Main runs a package's tests, then stops the shared engine and removes its
// data folder. Every package
// that calls Embedded needs it as its TestMain:
//
//	func TestMain(m *testing.M) { warehousetest.Main(m) }
//
// A test binary that exits with chDB running can crash under -race after
// PASS: the race runtime's exit runs C atexit handlers while the engine's
// threads still work.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// MigrateAll applies opsbot's schema.
func MigrateAll(ctx context.Context, w warehouse.Warehouse) error {
	_, err := sql.Migrate(ctx, w)
	return err
}

// Truncate empties tables so a test starts from nothing.
func Truncate(t testing.TB, w warehouse.Warehouse, tables ...string) {
	t.Helper()
	for _, tb := range tables {
		if err := w.Exec(context.Background(), fmt.Sprintf("TRUNCATE TABLE IF EXISTS %s", tb), nil); err != nil {
			t.Fatalf("truncate %s: %v", tb, err)
		}
	}
}

// ServerDSN is the ClickHouse server to test against, or "" (tests that
// need it then report skipped).
func ServerDSN() string { return os.Getenv("OPSBOT_TEST_CLICKHOUSE") }
