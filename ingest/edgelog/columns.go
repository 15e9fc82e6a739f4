package edgelog

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// strCol accumulates a string column as Arrow's offsets and data.
type strCol struct {
	offs []int32
	data []byte
}

func (c *strCol) reset(n, avg int) {
	c.offs = append(newSlice[int32](n+1), 0)
	c.data = newSlice[byte](n * avg)
}

func (c *strCol) add(b []byte) {
	c.data = append(c.data, b...)
	c.offs = append(c.offs, int32(len(c.data)))
}

// decodeUA appends a URL-encoded CloudFront user agent, decoded, to dst.
// CloudFront encodes it once, and a "%" already in the header is logged as
// "%25", so "%2520" comes out as "%20" after one round: a second round, in
// place, decodes what remains when the logged value held "%25".
func decodeUA(dst, b []byte) []byte {
	start := len(dst)
	var pct bool
	dst, pct = unescapePct(dst, b)
	if pct && hasEscape(dst[start:]) {
		n := len(unescapePct2(dst[start:start], dst[start:]))
		dst = dst[:start+n]
	}
	return dst
}

func (c *strCol) array() arrow.Array {
	n := len(c.offs) - 1
	return makeArray(arrow.BinaryTypes.String, n, 0, nil, buffer(c.offs), buffer(c.data))
}

func fixed(t arrow.DataType, n int, valid *memory.Buffer, nulls int, data *memory.Buffer) arrow.Array {
	return makeArray(t, n, nulls, valid, data)
}

// makeArray makes an array that owns bufs: the only references to them are
// the array's, so that the record's last Release recycles them.
func makeArray(t arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	d := array.NewData(t, n, bufs, nil, nulls, 0)
	defer d.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return array.MakeFromData(d)
}
