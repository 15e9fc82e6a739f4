package edgelog

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Limits on what the Parquet decoder may allocate. A corrupt object can
// claim pages of gigabytes, and the decoder holds skipped pages until it
// returns: without a budget one bad object could exhaust the machine's
// memory. Real pages are about a megabyte.
const (
	maxParquetAlloc       = 256 << 20 // one buffer
	maxParquetOutstanding = 1 << 30   // all buffers held at once
)

// budget is a memory.Allocator that refuses (by panicking with
// errCorrupt, which the Parquet reader recovers) allocations beyond the
// limits above.
type budget struct {
	mem  memory.Allocator
	held atomic.Int64
}

var _ memory.Allocator = (*budget)(nil)

func (b *budget) take(n int) {
	if n > maxParquetAlloc || b.held.Add(int64(n)) > maxParquetOutstanding {
		panic(fmt.Errorf("%w: a %d-byte buffer is over the decoder's budget", errCorrupt, n))
	}
}

// Allocate implements memory.Allocator.
func (b *budget) Allocate(n int) []byte {
	b.take(n)
	return b.mem.Allocate(n)
}

// Reallocate implements memory.Allocator.
func (b *budget) Reallocate(n int, old []byte) []byte {
	b.take(n - len(old))
	return b.mem.Reallocate(n, old)
}

// Free implements memory.Allocator.
func (b *budget) Free(old []byte) {
	b.held.Add(-int64(len(old)))
	b.mem.Free(old)
}
