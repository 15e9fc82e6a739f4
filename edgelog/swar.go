package edgelog

import (
	"encoding/binary"
	"math/bits"
)

const (
	lo7  = 0x7f7f7f7f7f7f7f7f
	tabs = 0x0909090909090909
)

// appendTabs appends the index of every tab in line to dst, eight bytes at a
// time (SWAR: a byte equal to '\t' becomes zero under XOR, and the exact
// zero-byte test marks it with its high bit).
func appendTabs(dst []int32, line []byte) []int32 {
	i := 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ tabs
		t := ^(((x & lo7) + lo7) | x | lo7)
		for t != 0 {
			dst = append(dst, int32(i+bits.TrailingZeros64(t)/8))
			t &= t - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == '\t' {
			dst = append(dst, int32(i))
		}
	}
	return dst
}
