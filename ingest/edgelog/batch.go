package edgelog

import (
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Column indexes in Schema(), the order of the requests table.
const (
	colTs = iota
	colClientIP
	colStatus
	colMethod
	colHost
	colPath
	colQuery
	colUserAgent
	colReferer
	colBytesIn
	colBytesOut
	colTimeTaken
	colEdgeLocation
	colCacheResult
	colProtocol
	colHTTPVersion
	colCountry
	colASN
	colForwardedFor
	colForwardedIP
	colRequestID
	colSource
	colSourceObject
	colSourceLine
	numCols
)

// IPType is how addresses travel: 16 bytes, IPv4 mapped into IPv6
// (::ffff:a.b.c.d), which ClickHouse reads straight into an IPv6 column.
var IPType = &arrow.FixedSizeBinaryType{ByteWidth: 16}

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "client_ip", Type: IPType},
	{Name: "status", Type: arrow.PrimitiveTypes.Uint16},
	{Name: "method", Type: dictType},
	{Name: "host", Type: dictType},
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "query", Type: arrow.BinaryTypes.String},
	{Name: "user_agent", Type: dictType},
	{Name: "referer", Type: arrow.BinaryTypes.String},
	{Name: "bytes_in", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "bytes_out", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "time_taken", Type: arrow.PrimitiveTypes.Float32},
	{Name: "edge_location", Type: dictType},
	{Name: "cache_result", Type: dictType},
	{Name: "protocol", Type: dictType},
	{Name: "http_version", Type: dictType},
	{Name: "country", Type: dictType},
	{Name: "asn", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "forwarded_for", Type: arrow.BinaryTypes.String},
	{Name: "forwarded_ip", Type: IPType, Nullable: true},
	{Name: "request_id", Type: arrow.BinaryTypes.String},
	{Name: "source", Type: dictType},
	{Name: "source_object", Type: dictType},
	{Name: "source_line", Type: arrow.PrimitiveTypes.Uint32},
}, nil)

// Schema is the Arrow schema of every batch: field names are requests
// columns. Timestamps are milliseconds UTC, addresses 16-byte IPv6 (IPv4
// mapped), LowCardinality columns dictionaries of strings (int32 indices).
func Schema() *arrow.Schema { return schema }

// row is one request being assembled; parsers fill it and call batch.add.
// Byte slices may alias the line buffer: add copies them.
type row struct {
	ts                                        int64 // unix milliseconds
	ip                                        [16]byte
	status                                    uint16
	method, host, path, query, ua, referer    []byte
	bytesIn, bytesOut                         uint64
	timeTaken                                 float32
	edge, cache, proto, httpVer, country, xff []byte
	asn                                       uint32
	fwdIP                                     [16]byte
	hasFwd                                    bool
	uaEscaped                                 bool // ua holds %XX escapes to decode
	reqID                                     []byte
}

func (r *row) clear() { *r = row{} }

// batch accumulates rows as Arrow columns. Each batch owns fresh buffers, so
// a record handed out stays valid while the next one fills.
type batch struct {
	n        int
	size     int
	handed   int64 // rows handed out in records
	ids      bool  // keep request ids (Options.RequestIDs)
	ts       []int64
	ip       []byte
	status   []uint16
	str      [numCols]strCol  // string columns by column index
	dict     [numCols]dictCol // LowCardinality columns by column index
	ua       []byte           // scratch: a decoded user agent
	bytesIn  []uint64
	bytesOut []uint64
	taken    []float32
	asn      []uint32
	fwd      []byte
	fwdValid []byte
	fwdNulls int
	line     []uint32
	source   string
	object   string
}

// stringCols are the plain String columns.
var stringCols = []int{colPath, colQuery, colReferer, colForwardedFor, colRequestID}

// avgHint is the bytes per row to reserve for each string column: the
// largest average seen so far (plus a quarter), starting from these guesses.
var avgHint = func() *[numCols]atomic.Int64 {
	var h [numCols]atomic.Int64
	for c, v := range avgLen {
		h[c].Store(int64(v))
	}
	return &h
}()

var avgLen = [numCols]int{colMethod: 4, colHost: 24, colPath: 48, colQuery: 16, colUserAgent: 96,
	colReferer: 32, colEdgeLocation: 8, colCacheResult: 6, colProtocol: 5, colHTTPVersion: 8,
	colCountry: 2, colForwardedFor: 4, colRequestID: 0}

func newBatch(o Options) *batch {
	return &batch{size: o.BatchRows, ids: o.RequestIDs, source: o.Source, object: o.Object}
}

// ready makes sure the batch has buffers to fill. Buffers are taken only
// when rows may come (no unused set is left behind at the end of an
// object), and they are recycled, so full-size ones cost no clearing;
// string columns are sized by what earlier batches held per row.
func (b *batch) ready() {
	if b.ts != nil {
		return
	}
	n := b.size
	b.n = 0
	b.ts = newSlice[int64](n)
	b.ip = newSlice[byte](n * 16)
	b.status = newSlice[uint16](n)
	for _, c := range stringCols {
		b.str[c].reset(n, int(avgHint[c].Load()))
	}
	for _, c := range dictCols {
		b.dict[c].reset(n)
	}
	b.bytesIn = newSlice[uint64](n)
	b.bytesOut = newSlice[uint64](n)
	b.taken = newSlice[float32](n)
	b.asn = newSlice[uint32](n)
	b.fwd = newSlice[byte](n * 16)
	b.fwdValid = newSlice[byte](n/8 + 1)
	b.fwdNulls = 0
	b.line = newSlice[uint32](n)
}

func (b *batch) add(r *row, line int) {
	b.ts = append(b.ts, r.ts)
	b.ip = append(b.ip, r.ip[:]...)
	b.status = append(b.status, r.status)
	b.dict[colMethod].add(r.method)
	b.dict[colHost].add(r.host)
	b.str[colPath].add(r.path)
	b.str[colQuery].add(r.query)
	if r.uaEscaped {
		b.ua = decodeUA(b.ua[:0], r.ua)
		b.dict[colUserAgent].add(b.ua)
	} else {
		b.dict[colUserAgent].add(r.ua)
	}
	b.str[colReferer].add(r.referer)
	b.bytesIn = append(b.bytesIn, r.bytesIn)
	b.bytesOut = append(b.bytesOut, r.bytesOut)
	b.taken = append(b.taken, r.timeTaken)
	b.dict[colEdgeLocation].add(r.edge)
	b.dict[colCacheResult].add(r.cache)
	b.dict[colProtocol].add(r.proto)
	b.dict[colHTTPVersion].add(r.httpVer)
	b.dict[colCountry].add(r.country)
	b.asn = append(b.asn, r.asn)
	b.str[colForwardedFor].add(r.xff)
	b.addFwd(r)
	if b.ids {
		b.str[colRequestID].add(r.reqID)
	} else {
		b.str[colRequestID].add(nil)
	}
	b.line = append(b.line, uint32(line))
	b.n++
}

func (b *batch) addFwd(r *row) {
	b.fwd = append(b.fwd, r.fwdIP[:]...)
	if b.n%8 == 0 {
		b.fwdValid = append(b.fwdValid, 0)
	}
	if r.hasFwd {
		b.fwdValid[b.n/8] |= 1 << (b.n % 8)
	} else {
		b.fwdNulls++
	}
}

// maxBatchBytes caps the string data of a batch below Arrow's 32-bit
// offsets: a batch of very long lines ends early.
const maxBatchBytes = 1 << 30

func (b *batch) full() bool {
	if b.n >= b.size {
		return true
	}
	total := 0
	for _, c := range stringCols {
		total += len(b.str[c].data)
	}
	for _, c := range dictCols {
		total += len(b.dict[c].vals.data)
	}
	return total >= maxBatchBytes
}

// Times outside [minTs, maxTs) are rejected: ClickHouse's DateTime64(3)
// cannot hold them, and one such value would fail the whole batch.
const (
	minTs = 0                 // 1970-01-01
	maxTs = 7258118400 * 1000 // 2200-01-01
)

// check rejects what parsers let through but the table cannot hold.
func (r *row) check() string {
	if r.ts < minTs || r.ts >= maxTs {
		return "time out of range (1970 to 2199)"
	}
	return ""
}

// record hands out the accumulated rows; the next rows go to new buffers.
func (b *batch) record() arrow.Record {
	n := b.n
	cols := make([]arrow.Array, numCols)
	cols[colTs] = fixed(schema.Field(colTs).Type, n, nil, 0, buffer(b.ts))
	cols[colClientIP] = fixed(IPType, n, nil, 0, buffer(b.ip))
	cols[colStatus] = fixed(arrow.PrimitiveTypes.Uint16, n, nil, 0, buffer(b.status))
	for _, c := range stringCols {
		if avg := int64(len(b.str[c].data)/max(n, 1)) * 5 / 4; avg > avgHint[c].Load() {
			avgHint[c].Store(avg)
		}
		cols[c] = b.str[c].array()
	}
	for _, c := range dictCols {
		cols[c] = b.dict[c].array()
	}
	cols[colBytesIn] = fixed(arrow.PrimitiveTypes.Uint64, n, nil, 0, buffer(b.bytesIn))
	cols[colBytesOut] = fixed(arrow.PrimitiveTypes.Uint64, n, nil, 0, buffer(b.bytesOut))
	cols[colTimeTaken] = fixed(arrow.PrimitiveTypes.Float32, n, nil, 0, buffer(b.taken))
	cols[colASN] = fixed(arrow.PrimitiveTypes.Uint32, n, nil, 0, buffer(b.asn))
	var valid *memory.Buffer
	if b.fwdNulls > 0 {
		valid = buffer(b.fwdValid)
	} else {
		recycled.put(b.fwdValid)
	}
	cols[colForwardedIP] = fixed(IPType, n, valid, b.fwdNulls, buffer(b.fwd))
	cols[colSource] = constDict(b.source, n)
	cols[colSourceObject] = constDict(b.object, n)
	cols[colSourceLine] = fixed(arrow.PrimitiveTypes.Uint32, n, nil, 0, buffer(b.line))
	rec := array.NewRecord(schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	b.ts = nil
	b.n = 0
	return rec
}

// free gives back the buffers of a batch that holds no rows.
func (b *batch) free() {
	if b.ts == nil || b.n > 0 {
		return
	}
	for _, raw := range [][]byte{bytesOf(b.ts), b.ip, bytesOf(b.status), bytesOf(b.bytesIn), bytesOf(b.bytesOut),
		bytesOf(b.taken), bytesOf(b.asn), b.fwd, b.fwdValid, bytesOf(b.line)} {
		recycled.put(raw)
	}
	for _, c := range stringCols {
		recycled.put(bytesOf(b.str[c].offs))
		recycled.put(b.str[c].data)
	}
	for _, c := range dictCols {
		b.dict[c].free()
	}
	b.ts = nil
}
