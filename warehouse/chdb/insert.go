package chdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/cdata"

	"github.com/opsbot/opsbot/warehouse"
)

var scanSeq atomic.Uint64

// Insert appends rec to table through the Arrow C Data Interface: the batch
// is exported without copying, registered as arrowstream('…') and read by an
// INSERT … SELECT that maps columns by name.
func (w *Warehouse) Insert(ctx context.Context, table string, rec arrow.Record, opts warehouse.InsertOptions) error {
	return w.InsertMany(ctx, table, []arrow.Record{rec}, opts)
}

// InsertMany inserts records of one schema as one INSERT: the engine reads
// them as one Arrow stream and writes them as one block (one part, all or
// nothing, up to about a million rows), without a joined copy of them.
func (w *Warehouse) InsertMany(ctx context.Context, table string, recs []arrow.Record, opts warehouse.InsertOptions) error {
	rows := warehouse.Rows(recs)
	if rows == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	name := fmt.Sprintf("opsbot_batch_%d", scanSeq.Add(1))
	sql := insertSQL(table, recs[0].Schema(), name, opts.DedupToken)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return warehouse.ErrClosed
	}
	release, err := w.register(name, recs)
	if err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	defer release()
	defer cUnregister(w.conn, name)
	r := cQuery(w.conn, sql, "TabSeparated", nil, nil)
	defer r.free()
	if err := r.err(); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	if rows >= purgeRows {
		w.purge()
	}
	return nil
}

// purgeRows is the insert size from which the engine hands the memory it
// freed back to the system at once.
const purgeRows = 32768

// purge returns the pages jemalloc keeps after freeing (SYSTEM JEMALLOC
// PURGE). The engine shares opsbot's process, and after a large insert it
// would otherwise hold on to about that insert's peak for seconds
// (BENCHMARKS.md). Called with w.mu held.
func (w *Warehouse) purge() {
	r := cQuery(w.conn, "SYSTEM JEMALLOC PURGE", "TabSeparated", nil, nil)
	r.free()
}

// register hands recs to the engine under name: one record through the
// C Data Interface array, several through an Arrow stream. The returned
// release frees what was exported, after the query that reads it. Called
// with w.mu held.
func (w *Warehouse) register(name string, recs []arrow.Record) (release func(), err error) {
	if len(recs) > 1 {
		st := (*cdata.CArrowArrayStream)(cMalloc(unsafe.Sizeof(cdata.CArrowArrayStream{})))
		rr, err := array.NewRecordReader(recs[0].Schema(), recs)
		if err != nil {
			cFree(unsafe.Pointer(st))
			return nil, err
		}
		cdata.ExportRecordReader(rr, st)
		release = func() {
			cReleaseStream(unsafe.Pointer(st))
			cFree(unsafe.Pointer(st))
			rr.Release()
		}
		if !cStreamScan(w.conn, name, unsafe.Pointer(st)) {
			release()
			return nil, errors.New("chdb refused the arrow stream")
		}
		return release, nil
	}
	arr := (*cdata.CArrowArray)(cMalloc(unsafe.Sizeof(cdata.CArrowArray{})))
	sch := (*cdata.CArrowSchema)(cMalloc(unsafe.Sizeof(cdata.CArrowSchema{})))
	cdata.ExportArrowRecordBatch(recs[0], arr, sch)
	release = func() {
		cdata.ReleaseCArrowSchema(sch)
		cdata.ReleaseCArrowArray(arr)
		cFree(unsafe.Pointer(arr))
		cFree(unsafe.Pointer(sch))
	}
	if !cArrayScan(w.conn, name, unsafe.Pointer(sch), unsafe.Pointer(arr)) {
		release()
		return nil, errors.New("chdb refused the arrow batch")
	}
	return release, nil
}

func insertSQL(table string, s *arrow.Schema, scan, token string) string {
	cols := make([]string, len(s.Fields()))
	for i, f := range s.Fields() {
		cols[i] = quoteIdent(f.Name)
	}
	list := strings.Join(cols, ", ")
	settings := ""
	if token != "" {
		settings = ", insert_deduplication_token = " + quoteString(token)
	}
	// One thread: the caller parallelizes across inserts, and the
	// insert's own threads only multiply its buffers (BENCHMARKS.md).
	return fmt.Sprintf("INSERT INTO %s (%s) SETTINGS max_threads = 1%s SELECT %s FROM arrowstream(%s)",
		quoteIdent(table), list, settings, list, quoteString(scan))
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
