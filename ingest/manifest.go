package ingest

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Object statuses in the manifest.
const (
	StatusQueued    = "queued"    // listed for loading; a restart resumes it
	StatusLoading   = "loading"   // being read; a restart resumes it
	StatusReplacing = "replacing" // old rows being deleted before a re-ingest
	StatusDone      = "done"
	StatusFailed    = "failed"  // Error says why; Attempts counts tries
	StatusExpired   = "expired" // older than the retention: not loaded
	StatusSkipped   = "skipped" // cannot be loaded (Reason; Error says what and how to fix it)
)

// State is an object's row in the ingest_objects manifest.
type State struct {
	Object
	ObjectTime time.Time
	Format     string
	Status     string
	Rows       uint64
	Rejected   uint64
	Error      string
	Reason     string // why a skipped entry is not loaded: SkipSymlink, …
	Attempts   int
	Generation int
	BatchRows  int
	Batch      string // the pooled insert the object's rows went into (see pool.go); "" when loaded alone
	Started    time.Time
	Finished   time.Time
}

// manifest reads and writes ingest_objects.
type manifest struct {
	w warehouse.Warehouse

	mu   sync.Mutex
	last uint64 // version of the last write, strictly increasing
}

// stateCols are the columns scanState reads. The key is read as hex: a
// result's JSON replaces bytes that are not UTF-8 (a file name may hold
// any byte but NUL and '/'), and a key must come back exactly.
const stateCols = "bucket, hex(key), etag, size, modified, object_time, format, status, rows, rejected, error, attempts, generation, batch_rows, started_at, finished_at, batch, reason"

// lookup returns the manifest state of keys in bucket (absent keys are
// missing from the map). Each key is bound as a String parameter of its
// own: exact for every byte on both engines, where an Array(String)
// parameter would need its elements quoted in a second escaping layer.
func (m *manifest) lookup(ctx context.Context, bucket string, keys []string) (map[string]*State, error) {
	out := make(map[string]*State, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	in, p := keyParams(keys)
	p["b"] = bucket
	q := "SELECT " + stateCols + " FROM ingest_objects FINAL WHERE bucket = {b:String} AND key IN (" + in + ")"
	// Query, not Stream: at most one page of keys, and chdb's Stream
	// fails on an empty answer.
	res, err := m.w.Query(ctx, q, p)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	for _, r := range res.Rows {
		s, err := scanState(r)
		if err != nil {
			return nil, fmt.Errorf("read manifest: %w", err)
		}
		out[s.Key] = s
	}
	return out, nil
}

// keyParams binds keys as parameters k0, k1, … and returns the list of
// their placeholders.
func keyParams(keys []string) (string, opsbot.Params) {
	var b strings.Builder
	p := make(opsbot.Params, len(keys)+1)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		name := "k" + strconv.Itoa(i)
		b.WriteString("{" + name + ":String}")
		p[name] = k
	}
	return b.String(), p
}

func scanState(r []any) (*State, error) {
	key, err := hex.DecodeString(warehouse.String(r[1]))
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", r[1], err)
	}
	s := &State{}
	s.Bucket, s.Key, s.ETag = warehouse.String(r[0]), string(key), warehouse.String(r[2])
	s.Size = int64(warehouse.Uint64(r[3]))
	s.Modified, s.ObjectTime = tm(r[4]), tm(r[5])
	s.Format, s.Status = warehouse.String(r[6]), warehouse.String(r[7])
	s.Rows, s.Rejected = warehouse.Uint64(r[8]), warehouse.Uint64(r[9])
	s.Error = warehouse.String(r[10])
	s.Attempts, s.Generation, s.BatchRows = int(warehouse.Uint64(r[11])), int(warehouse.Uint64(r[12])), int(warehouse.Uint64(r[13]))
	s.Started, s.Finished = tm(r[14]), tm(r[15])
	s.Batch, s.Reason = warehouse.String(r[16]), warehouse.String(r[17])
	return s, nil
}

// write records s as the object's newest state.
func (m *manifest) write(ctx context.Context, s *State) error {
	if err := m.writeMany(ctx, []*State{s}); err != nil {
		return fmt.Errorf("write manifest %s: %w", s.Name(), err)
	}
	return nil
}

var stateSchema = arrow.NewSchema([]arrow.Field{
	{Name: "bucket", Type: arrow.BinaryTypes.String}, {Name: "key", Type: arrow.BinaryTypes.String},
	{Name: "etag", Type: arrow.BinaryTypes.String}, {Name: "size", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "modified", Type: msType}, {Name: "object_time", Type: msType},
	{Name: "format", Type: arrow.BinaryTypes.String}, {Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "rows", Type: arrow.PrimitiveTypes.Uint64}, {Name: "rejected", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "error", Type: arrow.BinaryTypes.String}, {Name: "attempts", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "generation", Type: arrow.PrimitiveTypes.Uint32}, {Name: "batch_rows", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "started_at", Type: msType}, {Name: "finished_at", Type: msType},
	{Name: "version", Type: arrow.PrimitiveTypes.Uint64}, {Name: "batch", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
}, nil)

var msType = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

// writeMany records states in one insert.
func (m *manifest) writeMany(ctx context.Context, states []*State) error {
	if len(states) == 0 {
		return nil
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, stateSchema)
	defer b.Release()
	str := func(i int, v string) { b.Field(i).(*array.StringBuilder).Append(v) }
	u64 := func(i int, v uint64) { b.Field(i).(*array.Uint64Builder).Append(v) }
	u32 := func(i int, v int) { b.Field(i).(*array.Uint32Builder).Append(uint32(v)) }
	ts := func(i int, t time.Time) { b.Field(i).(*array.TimestampBuilder).Append(arrow.Timestamp(msOf(t))) }
	for _, s := range states {
		str(0, s.Bucket)
		str(1, s.Key)
		str(2, s.ETag)
		u64(3, uint64(s.Size))
		ts(4, s.Modified)
		ts(5, s.ObjectTime)
		str(6, s.Format)
		str(7, s.Status)
		u64(8, s.Rows)
		u64(9, s.Rejected)
		str(10, clipString(s.Error, 4096))
		u32(11, s.Attempts)
		u32(12, s.Generation)
		u32(13, s.BatchRows)
		ts(14, s.Started)
		ts(15, s.Finished)
		u64(16, m.version())
		str(17, s.Batch)
		str(18, s.Reason)
	}
	rec := b.NewRecord()
	defer rec.Release()
	return m.w.Insert(ctx, "ingest_objects", rec, warehouse.InsertOptions{})
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (m *manifest) version() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := uint64(time.Now().UnixNano())
	if v <= m.last {
		v = m.last + 1
	}
	m.last = v
	return v
}

// tparam renders a DateTime64(3) parameter.
func tparam(t time.Time) string {
	if t.IsZero() {
		return "1970-01-01 00:00:00.000"
	}
	return warehouse.TimeParam(t)
}

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// tm is v as a time; the epoch and earlier (an unset DateTime64 column)
// read as the zero time.
func tm(v any) time.Time {
	t := warehouse.Time(v)
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t
}
