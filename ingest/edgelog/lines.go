package edgelog

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
)

// lineParser turns one line into a row. It returns a non-empty reason to
// reject the line, or skip when the line is a directive or blank.
type lineParser interface {
	parse(line []byte, r *row) (reason string, skip bool)
}

// DefaultMaxLine is the longest line read when Options.MaxLine is 0.
// Longer lines are rejected (their first KB is kept) without being held:
// the reader keeps at most MaxLine+1 bytes of a line and carries on with
// the next one.
const DefaultMaxLine = 1 << 20

// lineReader feeds lines of r to a lineParser and batches the rows.
type lineReader struct {
	br      *bufio.Reader
	p       lineParser
	b       *batch
	row     row
	max     int // Options.MaxLine
	line    int
	skipped int64
	rej     rejectBuf
	long    []byte // a line longer than br's buffer: at most max+1 bytes of it
	clipped bool   // the line read was longer than long holds
	err     error
}

func newLineReader(r io.Reader, o Options, p lineParser) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), p: p, b: newBatch(o), max: o.MaxLine, rej: newRejectBuf(o)}
}

// Next implements Reader.
func (l *lineReader) Next() (arrow.Record, []Reject, error) {
	if l.err == nil {
		l.b.ready()
	}
	for l.err == nil && !l.b.full() && !l.rej.full() {
		line, err := l.readLine()
		if err != nil {
			l.err = err
			break
		}
		l.line++
		l.one(line)
	}
	err := l.err
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("read line %d: %w", l.line+1, err)
	}
	return l.b.hand(&l.rej, err)
}

// Tally implements Reader.
func (l *lineReader) Tally() Tally {
	return Tally{Lines: int64(l.line), Rows: l.b.handed, Rejects: l.rej.total, Skipped: l.skipped}
}

func (l *lineReader) one(line []byte) {
	if l.clipped || len(line) > l.max {
		l.rej.add(l.line, fmt.Sprintf("line longer than %d bytes", l.max), line)
		return
	}
	l.row.clear()
	reason, skip := l.p.parse(line, &l.row)
	if reason == "" && !skip {
		reason = l.row.check()
	}
	switch {
	case skip:
		l.skipped++
	case reason != "":
		l.rej.add(l.line, reason, line)
	default:
		l.b.add(&l.row, l.line)
	}
}

// readLine returns the next line without its "\n" or "\r\n". The slice is
// valid until the next call. The last line may lack its newline. Of a line
// longer than the buffer it keeps max+1 bytes (enough to tell it is too
// long) and skips the rest as it streams by.
func (l *lineReader) readLine() ([]byte, error) {
	line, err := l.br.ReadSlice('\n')
	l.clipped = false
	if err == bufio.ErrBufferFull {
		if l.long == nil {
			l.long = make([]byte, 0, l.max+1)
		}
		l.clipped = len(line) > l.max+1
		l.long = append(l.long[:0], line[:min(len(line), l.max+1)]...)
		for err == bufio.ErrBufferFull {
			line, err = l.br.ReadSlice('\n')
			room := l.max + 1 - len(l.long)
			l.clipped = l.clipped || len(line) > room
			l.long = append(l.long, line[:min(len(line), room)]...)
		}
		line = l.long
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		return nil, err
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// Close implements Reader.
func (l *lineReader) Close() error {
	l.b.free()
	return nil
}

// blank says whether a line holds only spaces and tabs.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
