package edgelog

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// recycler hands out the byte slices that batches are built in and takes
// them back when Arrow releases the buffers wrapping them (the record's last
// Release), so that a steady stream of batches reuses the same memory instead
// of allocating and clearing megabytes per batch. It implements
// memory.Allocator for memory.NewBufferWithAllocator.
type recycler struct {
	classes [40]sync.Pool // by capacity: class c holds slices of cap ≥ 1<<c
}

var recycled = &recycler{}

var _ memory.Allocator = (*recycler)(nil)

// get returns an empty slice with room for n bytes; its bytes are not
// cleared.
func (p *recycler) get(n int) []byte {
	if n < 64 {
		n = 64
	}
	c := bits.Len(uint(n - 1))
	if v := p.classes[c].Get(); v != nil {
		return (*v.(*[]byte))[:0]
	}
	return make([]byte, 0, 1<<c)
}

func (p *recycler) put(b []byte) {
	if cap(b) < 64 {
		return
	}
	c := bits.Len(uint(cap(b))) - 1
	b = b[:0]
	p.classes[c].Put(&b)
}

// Allocate implements memory.Allocator.
func (p *recycler) Allocate(n int) []byte { return p.get(n)[:n] }

// Reallocate implements memory.Allocator.
func (p *recycler) Reallocate(n int, b []byte) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	nb := p.get(n)[:n]
	copy(nb, b)
	p.put(b)
	return nb
}

// Free implements memory.Allocator.
func (p *recycler) Free(b []byte) { p.put(b) }

// slice views recycled bytes as an empty []T with their capacity.
func slice[T any](raw []byte) []T {
	var z T
	n := cap(raw) / int(unsafe.Sizeof(z))
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(raw[:1]))), n)[:0]
}

// newSlice is a recycled empty []T with room for n values.
func newSlice[T any](n int) []T {
	var z T
	return slice[T](recycled.get(n * int(unsafe.Sizeof(z))))
}

// buffer wraps s as an Arrow buffer whose release recycles s.
func buffer[T any](s []T) *memory.Buffer {
	var z T
	if cap(s) == 0 {
		return memory.NewBufferBytes(nil)
	}
	return memory.NewBufferWithAllocator(bytesOf(s)[:len(s)*int(unsafe.Sizeof(z))], recycled)
}

// bytesOf views s as bytes, with its capacity.
func bytesOf[T any](s []T) []byte {
	var z T
	if cap(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s[:1]))), cap(s)*int(unsafe.Sizeof(z)))[:0]
}
