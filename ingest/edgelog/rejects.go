package edgelog

import "github.com/apache/arrow/go/v17/arrow"

// MaxRejects is the most rejects one Next returns. A Reader hands rejects
// out in chunks of at most this many, so it holds at most MaxRejects ×
// (MaxRaw + a reason) bytes of them, whatever the object: one whose every
// line is rejected never fills a batch, and was held whole before.
const MaxRejects = 1024

// Tally accounts for what a Reader read so far. Once Next returned
// io.EOF, Lines = Rows + Rejects + Skipped; Package ingest checks it
// against the rows and rejects it received before recording an object
// done.
type Tally struct {
	Lines   int64 // lines read; Parquet: the rows its footer declares
	Rows    int64 // rows handed out in records
	Rejects int64 // rejects handed out
	Skipped int64 // blank lines and directives: neither rows nor rejects
}

// rejectBuf holds the rejects of one Next: the one place rejects wait.
type rejectBuf struct {
	list  []Reject
	total int64 // every reject added
}

// add keeps a reject with the first MaxRaw bytes of raw.
func (r *rejectBuf) add(line int, reason string, raw []byte) {
	r.list = append(r.list, Reject{Line: line, Reason: reason, Raw: string(raw[:min(len(raw), MaxRaw)])})
	r.total++
}

func (r *rejectBuf) full() bool { return len(r.list) >= MaxRejects }

func (r *rejectBuf) take() []Reject {
	l := r.list
	r.list = nil
	return l
}

// hand ends a Next of a Reader filling b, whose reading stopped with err
// (nil while it can go on): a full batch goes out, or at the end the last
// rows (err comes on the next call); rejects alone go out when they
// filled up first, the rows read so far waiting in b for the next call.
func (b *batch) hand(rej *rejectBuf, err error) (arrow.Record, []Reject, error) {
	list := rej.take()
	if b.n > 0 && (err != nil || b.full()) {
		b.handed += int64(b.n)
		return b.record(), list, nil
	}
	if err == nil {
		return nil, list, nil
	}
	b.free()
	return nil, list, err
}
