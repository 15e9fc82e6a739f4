package edgelog

import (
	"bytes"
	"hash/maphash"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// dictType is how LowCardinality columns travel: an Arrow dictionary, which
// ClickHouse reads into LowCardinality(String) without hashing every row
// again (faster inserts: BENCHMARKS.md).
var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// dictCols are the requests columns that are LowCardinality(String) and
// filled row by row (source and source_object are constant per batch).
var dictCols = []int{colMethod, colHost, colUserAgent, colEdgeLocation, colCacheResult,
	colProtocol, colHTTPVersion, colCountry}

var dictSeed = maphash.MakeSeed()

// dictCol accumulates a dictionary-encoded string column: an index per row
// and the distinct values in order of first appearance, found through an
// open-addressing table of value numbers.
type dictCol struct {
	idx   []int32
	vals  strCol
	slots []int32 // value number + 1; 0 is empty; len is a power of two
	n     int     // distinct values
}

func (d *dictCol) reset(rows int) {
	d.idx = newSlice[int32](rows)
	d.vals.reset(256, 32)
	d.n = 0
	if d.slots == nil {
		d.slots = make([]int32, 256)
	} else {
		clear(d.slots)
	}
}

func (d *dictCol) value(i int32) []byte { return d.vals.data[d.vals.offs[i]:d.vals.offs[i+1]] }

func (d *dictCol) add(b []byte) {
	mask := len(d.slots) - 1
	for s := int(maphash.Bytes(dictSeed, b)) & mask; ; s = (s + 1) & mask {
		e := d.slots[s]
		if e == 0 {
			d.slots[s] = int32(d.n + 1)
			d.vals.add(b)
			d.idx = append(d.idx, int32(d.n))
			d.n++
			if 2*d.n > len(d.slots) {
				d.grow()
			}
			return
		}
		if bytes.Equal(d.value(e-1), b) {
			d.idx = append(d.idx, e-1)
			return
		}
	}
}

// grow doubles the table.
func (d *dictCol) grow() {
	d.slots = make([]int32, 2*len(d.slots))
	mask := len(d.slots) - 1
	for i := int32(0); i < int32(d.n); i++ {
		s := int(maphash.Bytes(dictSeed, d.value(i))) & mask
		for d.slots[s] != 0 {
			s = (s + 1) & mask
		}
		d.slots[s] = i + 1
	}
}

// array hands out the column; its buffers are recycled on release.
func (d *dictCol) array() arrow.Array {
	indices := makeArray(arrow.PrimitiveTypes.Int32, len(d.idx), 0, nil, buffer(d.idx))
	dict := d.vals.array()
	defer indices.Release()
	defer dict.Release()
	return array.NewDictionaryArray(dictType, indices, dict)
}

func (d *dictCol) free() {
	recycled.put(bytesOf(d.idx))
	recycled.put(bytesOf(d.vals.offs))
	recycled.put(d.vals.data)
}

// constDict is a dictionary column holding s in each of n rows.
func constDict(s string, n int) arrow.Array {
	var d dictCol
	d.idx = newSlice[int32](n)[:n]
	clear(d.idx)
	d.vals.reset(1, len(s))
	d.vals.add([]byte(s))
	return d.array()
}
