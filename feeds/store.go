package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// States of a row of feed_items.
const (
	statePending  = "pending"
	statePosted   = "posted"
	stateUnrouted = "unrouted"
	stateBaseline = "baseline"
)

// rank orders states of one item and room: a later state wins a tie of
// time in the version.
var rank = map[string]uint64{stateBaseline: 1, stateUnrouted: 1, statePending: 2, statePosted: 3}

// Store keeps items, delivery ids and cursors in ClickHouse
// (sql/schema/017_feeds.sql).
type Store struct {
	w    warehouse.Warehouse
	last atomic.Uint64
}

// NewStore is the store in w.
func NewStore(w warehouse.Warehouse) *Store { return &Store{w: w} }

// row is one row of feed_items.
type row struct {
	Source, Room, State string
	Item                Item
}

var itemSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "item_id", Type: arrow.BinaryTypes.String},
	{Name: "room", Type: arrow.BinaryTypes.String},
	{Name: "state", Type: arrow.BinaryTypes.String},
	{Name: "item", Type: arrow.BinaryTypes.String},
	{Name: "received_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "posted_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "version", Type: arrow.PrimitiveTypes.Uint64},
}, nil)

// Put writes rows at now, in one insert.
func (s *Store) Put(ctx context.Context, now time.Time, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, itemSchema)
	defer b.Release()
	ts := arrow.Timestamp(now.UTC().UnixMilli())
	for _, r := range rows {
		js, err := json.Marshal(r.Item)
		if err != nil {
			return fmt.Errorf("encode feed item: %w", err)
		}
		for i, v := range []string{r.Source, r.Item.ID, r.Room, r.State, string(js)} {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
		b.Field(5).(*array.TimestampBuilder).Append(ts)
		if r.State == statePosted {
			b.Field(6).(*array.TimestampBuilder).Append(ts)
		} else {
			b.Field(6).(*array.TimestampBuilder).AppendNull()
		}
		b.Field(7).(*array.Uint64Builder).Append(s.version(now)*4 + rank[r.State])
	}
	rec := b.NewRecord()
	defer rec.Release()
	if err := s.w.Insert(ctx, "feed_items", rec, warehouse.InsertOptions{}); err != nil {
		return fmt.Errorf("record feed items: %w", err)
	}
	return nil
}

// Seen are the ids among ids that source already has a row for.
func (s *Store) Seen(ctx context.Context, source string, ids []string) (map[string]bool, error) {
	seen := map[string]bool{}
	for len(ids) > 0 {
		n := min(len(ids), 200)
		in, p := idParams(ids[:n])
		p["s"] = source
		res, err := s.w.Query(ctx, `SELECT DISTINCT item_id FROM feed_items
WHERE source = {s:String} AND item_id IN (`+in+`)`, p)
		if err != nil {
			return nil, fmt.Errorf("read seen feed items: %w", err)
		}
		for _, r := range res.Rows {
			seen[warehouse.String(r[0])] = true
		}
		ids = ids[n:]
	}
	return seen, nil
}

// Pending are the rows recorded and not yet posted, oldest first.
func (s *Store) Pending(ctx context.Context) ([]row, error) {
	return s.rows(ctx, `SELECT source, room, state, item FROM feed_items FINAL
WHERE state = 'pending' ORDER BY received_at, item_id`, nil)
}

// Latest is the newest item source recorded, and whether there is one.
func (s *Store) Latest(ctx context.Context, source string) (Item, bool, error) {
	rows, err := s.rows(ctx, `SELECT source, room, state, item FROM feed_items FINAL
WHERE source = {s:String} AND state != 'baseline' ORDER BY received_at DESC, item_id DESC LIMIT 1`, opsbot.Params{"s": source})
	if err != nil || len(rows) == 0 {
		return Item{}, false, err
	}
	return rows[0].Item, true, nil
}

func (s *Store) rows(ctx context.Context, q string, p opsbot.Params) ([]row, error) {
	res, err := s.w.Query(ctx, q, p)
	if err != nil {
		return nil, fmt.Errorf("read feed items: %w", err)
	}
	out := make([]row, 0, len(res.Rows))
	for _, r := range res.Rows {
		x := row{Source: warehouse.String(r[0]), Room: warehouse.String(r[1]), State: warehouse.String(r[2])}
		if err := json.Unmarshal([]byte(warehouse.String(r[3])), &x.Item); err != nil {
			return nil, fmt.Errorf("decode feed item: %w", err)
		}
		out = append(out, x)
	}
	return out, nil
}

// Delivered reports whether source already took webhook delivery id.
func (s *Store) Delivered(ctx context.Context, source, id string) (bool, error) {
	res, err := s.w.Query(ctx, `SELECT count() FROM feed_deliveries WHERE source = {s:String} AND delivery_id = {id:String}`,
		opsbot.Params{"s": source, "id": id})
	if err != nil {
		return false, fmt.Errorf("read feed deliveries: %w", err)
	}
	return warehouse.Uint64(res.Rows[0][0]) > 0, nil
}

// RecordDelivery records that source took webhook delivery id at now.
func (s *Store) RecordDelivery(ctx context.Context, source, id string, now time.Time) error {
	err := s.w.Exec(ctx, `INSERT INTO feed_deliveries (source, delivery_id, received_at)
VALUES ({s:String}, {id:String}, {t:DateTime64(3, 'UTC')})`, opsbot.Params{"s": source, "id": id, "t": warehouse.TimeParam(now)})
	if err != nil {
		return fmt.Errorf("record feed delivery: %w", err)
	}
	return nil
}

// Cursor is where a polled source stopped.
type Cursor struct {
	Value string // the source's own: a PR number, a status id, a time
	ETag  string // for If-None-Match
}

// Cursor reads source's cursor; the zero Cursor when it never polled.
func (s *Store) Cursor(ctx context.Context, source string) (Cursor, error) {
	res, err := s.w.Query(ctx, `SELECT cursor, etag FROM feed_cursors FINAL WHERE source = {s:String}`, opsbot.Params{"s": source})
	if err != nil {
		return Cursor{}, fmt.Errorf("read feed cursor: %w", err)
	}
	if len(res.Rows) == 0 {
		return Cursor{}, nil
	}
	return Cursor{Value: warehouse.String(res.Rows[0][0]), ETag: warehouse.String(res.Rows[0][1])}, nil
}

// SetCursor records source's cursor at now.
func (s *Store) SetCursor(ctx context.Context, source string, c Cursor, now time.Time) error {
	err := s.w.Exec(ctx, `INSERT INTO feed_cursors (source, cursor, etag, updated_at, version)
VALUES ({s:String}, {c:String}, {e:String}, {t:DateTime64(3, 'UTC')}, {v:UInt64})`,
		opsbot.Params{"s": source, "c": c.Value, "e": c.ETag, "t": warehouse.TimeParam(now), "v": fmt.Sprint(s.version(now))})
	if err != nil {
		return fmt.Errorf("record feed cursor: %w", err)
	}
	return nil
}

// idParams binds each id as a String parameter of its own (i0, i1 …):
// exact for every byte on both engines, where an Array(String) parameter
// would need a second layer of escaping (as ingest's manifest does).
func idParams(ids []string) (string, opsbot.Params) {
	names := make([]string, len(ids))
	p := make(opsbot.Params, len(ids)+1)
	for i, id := range ids {
		name := "i" + strconv.Itoa(i)
		names[i] = "{" + name + ":String}"
		p[name] = id
	}
	return strings.Join(names, ", "), p
}

// version is now in nanoseconds, above every version this store wrote
// before (a clock that did not move still orders two writes).
func (s *Store) version(now time.Time) uint64 {
	for {
		last := s.last.Load()
		v := max(uint64(now.UnixNano()), last+1)
		if s.last.CompareAndSwap(last, v) {
			return v
		}
	}
}
