package clickhouse_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/clickhouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestSuite runs the shared warehouse suite against the server named by
// OPSBOT_TEST_CLICKHOUSE (no ClickHouse server can be installed on the
// project's machines; CI reports it skipped).
func TestSuite(t *testing.T) {
	dsn := warehousetest.ServerDSN()
	if dsn == "" {
		t.Skip("skipped: set OPSBOT_TEST_CLICKHOUSE=clickhouse://user:pass@host:9000/opsbot_test to run the server suite")
	}
	ctx := context.Background()
	w, err := clickhouse.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := warehousetest.MigrateAll(ctx, w); err != nil {
		t.Fatal(err)
	}
	warehousetest.RunSuite(t, w)
}

func TestBadDSN(t *testing.T) {
	_, err := clickhouse.Open(context.Background(), "clickhouse://user:secret@host:notaport/db?dial_timeout=zzz", "")
	if !errors.Is(err, warehouse.ErrBadDSN) {
		t.Fatalf("got %v, want ErrBadDSN", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	// A port on loopback that is certainly closed: listen, then close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = clickhouse.Open(ctx, "clickhouse://default@"+addr+"/opsbot?dial_timeout=2s", "")
	if !errors.Is(err, warehouse.ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Fatalf("error does not name the address: %v", err)
	}
}
