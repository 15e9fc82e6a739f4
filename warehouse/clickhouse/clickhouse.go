// Package clickhouse is the warehouse on a ClickHouse server or cluster,
// through clickhouse-go/v2's native protocol.
package clickhouse

import (
	"context"
	"errors"

	"github.com/opsbot/opsbot/warehouse"
)

// Open connects to dsn.
func Open(ctx context.Context, dsn, password string) (warehouse.Warehouse, error) {
	return nil, errors.New("clickhouse: not built yet")
}
