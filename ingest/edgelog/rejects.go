package edgelog

import (
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
)

// MaxRejects is the most rejects one Next returns. A Reader hands rejects
// out in chunks of at most this many, so it holds at most MaxRejects ×
// (MaxRaw + a reason) bytes of them, whatever the object: one whose every
// line is rejected never fills a batch, and was held whole before.
const MaxRejects = 1024

// DefaultMaxRejectLines is how many rejects of an object are handed out
// one by one when Options.MaxRejectLines is 0.
const DefaultMaxRejectLines = 10_000

// MaxRejectText is how many bytes of raw text the rejects of one object
// keep in all, at most MaxRaw each: rejects past it keep their line and
// reason, which says the text was not kept. It bounds what junk costs
// whatever the number of rejects kept (1 MiB of text is a thousand long
// lines, more than anyone reads).
const MaxRejectText = 1 << 20

// textless ends the reason of a reject whose text was not kept.
const textless = "; text not kept (past the object's first 1 MiB of rejected text)"

// Tally accounts for what a Reader read so far. Once Next returned
// io.EOF, Lines = Rows + Rejects + Skipped; Package ingest checks it
// against the rows and rejects it received before recording an object
// done.
type Tally struct {
	Lines   int64 // lines read; Parquet: the rows its footer declares
	Rows    int64 // rows handed out in records
	Rejects int64 // rejects handed out, counting each Reject as 1+More
	Skipped int64 // blank lines and directives: neither rows nor rejects
}

// CountRejects is how many rejected lines rej stands for: each Reject is
// one line plus its More.
func CountRejects(rej []Reject) int64 {
	n := int64(len(rej))
	for _, r := range rej {
		n += int64(r.More)
	}
	return n
}

// rejectBuf holds the rejects of one Next: the one place rejects wait.
// The first lines rejects of an object are kept one by one, the text of
// the first MaxRejectText bytes of them copied into one buffer per Next;
// later rejects are only counted, into one Reject per Next that says so.
// No reject allocates on its own, but for a reason differing from the
// previous one past the text budget.
type rejectBuf struct {
	list     []Reject
	text     []byte // this Next's raw text; list[i].Raw is text[ends[i-1]:ends[i]]
	ends     []int
	lines    int64 // rejects per object kept one by one (Options.MaxRejectLines)
	textLeft int   // bytes of raw text the object may still keep
	total    int64 // every reject added
	counted  int   // this Next's rejects past lines, not in list
	first    int   // the line of the first of them
	plain    string
	marked   string // plain + textless
}

func newRejectBuf(o Options) rejectBuf {
	lines := int64(o.MaxRejectLines)
	if lines == 0 {
		lines = DefaultMaxRejectLines
	}
	return rejectBuf{lines: max(lines, 0), textLeft: MaxRejectText}
}

// wantsText says whether the next reject keeps its text: callers that
// render it (Parquet) skip the work when not.
func (r *rejectBuf) wantsText() bool { return r.total < r.lines && r.textLeft > 0 }

// add counts a reject. Within the object's first lines rejects it keeps
// the line number and reason, and while the text budget lasts the first
// MaxRaw bytes of raw.
func (r *rejectBuf) add(line int, reason string, raw []byte) {
	r.total++
	if r.total > r.lines {
		if r.counted == 0 {
			r.first = line
		}
		r.counted++
		return
	}
	if len(r.list) == 0 {
		r.list = make([]Reject, 0, min(MaxRejects, r.lines-r.total+1))
	}
	raw = raw[:min(len(raw), MaxRaw)]
	if len(raw) > r.textLeft {
		r.textLeft = 0 // the budget is spent: no later, shorter line keeps text
	}
	if r.textLeft == 0 {
		raw, reason = nil, r.mark(reason)
	}
	if r.text == nil && len(raw) > 0 { // sized once: append's growth would copy it five times over
		r.text = make([]byte, 0, min(r.textLeft, MaxRejects*MaxRaw))
	}
	r.textLeft -= len(raw)
	r.list = append(r.list, Reject{Line: line, Reason: reason})
	r.text = append(r.text, raw...)
	r.ends = append(r.ends, len(r.text))
}

// mark is reason + textless, built once per run of equal reasons.
func (r *rejectBuf) mark(reason string) string {
	if reason != r.plain || r.marked == "" {
		r.plain, r.marked = reason, reason+textless
	}
	return r.marked
}

func (r *rejectBuf) full() bool { return len(r.list)+r.counted >= MaxRejects }

// take hands out this Next's rejects: their text is one string.
func (r *rejectBuf) take() []Reject {
	l := r.list
	all, start := string(r.text), 0
	for i, end := range r.ends {
		l[i].Raw = all[start:end]
		start = end
	}
	if r.counted > 0 {
		l = append(l, Reject{Line: r.first, More: r.counted - 1, Reason: "rejected: this line and " +
			strconv.Itoa(r.counted-1) + " more past the first " + strconv.FormatInt(r.lines, 10) +
			" rejects of the object, counted only"})
	}
	r.list, r.text, r.ends, r.counted = nil, r.text[:0], r.ends[:0], 0
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
