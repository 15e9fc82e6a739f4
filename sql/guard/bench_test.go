package guard_test

import (
	"context"
	"testing"
)

// BenchmarkCheck is what the guard adds to one `sql`: three round trips
// to the engine (formatQuerySingleLine, EXPLAIN AST, the table list).
func BenchmarkCheck(b *testing.B) {
	g, _ := newGuard(b)
	q := "SELECT replaceOne(toString(client_ip), '::ffff:', '') AS ip, count() AS n FROM requests WHERE ts > now() - INTERVAL 1 HOUR AND status >= 400 GROUP BY ip ORDER BY n DESC LIMIT 10"
	for b.Loop() {
		if _, err := g.Check(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}
