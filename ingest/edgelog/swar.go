package edgelog

import (
	"encoding/binary"
	"math/bits"
)

// SWAR (SIMD within a register): eight bytes at a time, a byte equal to
// '\t' becomes zero under XOR with tabs, and the exact zero-byte test marks
// it with its high bit.
const (
	lo7  = 0x7f7f7f7f7f7f7f7f
	tabs = 0x0909090909090909
)

// split assigns the tab-separated fields of line to the known fields of the
// current header and returns how many fields the line has.
func (c *cloudFront) split(line []byte) int {
	k, start := 0, 0
	field := func(end int) {
		if k < len(c.pos) {
			if id := c.pos[k]; id >= 0 {
				c.vals.v[id] = line[start:end:end]
			}
		}
		k++
		start = end + 1
	}
	i := 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ tabs
		t := ^(((x & lo7) + lo7) | x | lo7)
		for t != 0 {
			field(i + bits.TrailingZeros64(t)/8)
			t &= t - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == '\t' {
			field(i)
		}
	}
	field(len(line))
	return k
}
