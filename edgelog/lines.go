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

// maxLine caps a line: longer lines are rejected (their first KB is kept)
// and the reader carries on with the next one.
const maxLine = 1 << 20

// lineReader feeds lines of r to a lineParser and batches the rows.
type lineReader struct {
	br      *bufio.Reader
	p       lineParser
	b       *batch
	row     row
	line    int
	rejects []Reject
	long    []byte
	err     error
}

func newLineReader(r io.Reader, o Options, p lineParser) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), p: p, b: newBatch(o)}
}

// Next implements Reader.
func (l *lineReader) Next() (arrow.Record, []Reject, error) {
	if l.err == nil {
		l.b.ready()
	}
	for l.err == nil && !l.b.full() {
		line, err := l.readLine()
		if err != nil {
			l.err = err
			break
		}
		l.line++
		l.one(line)
	}
	rej := l.rejects
	l.rejects = nil
	if l.b.n > 0 {
		return l.b.record(), rej, nil
	}
	l.b.free()
	if errors.Is(l.err, io.EOF) {
		return nil, rej, io.EOF
	}
	return nil, rej, fmt.Errorf("read line %d: %w", l.line+1, l.err)
}

func (l *lineReader) one(line []byte) {
	if len(line) > maxLine {
		l.reject(fmt.Sprintf("line longer than %d bytes", maxLine), line)
		return
	}
	l.row.clear()
	reason, skip := l.p.parse(line, &l.row)
	if reason == "" && !skip {
		reason = l.row.check()
	}
	switch {
	case skip:
	case reason != "":
		l.reject(reason, line)
	default:
		l.b.add(&l.row, l.line)
	}
}

func (l *lineReader) reject(reason string, line []byte) {
	l.rejects = append(l.rejects, Reject{Line: l.line, Reason: reason, Raw: string(line[:min(len(line), MaxRaw)])})
}

// readLine returns the next line without its "\n" or "\r\n". The slice is
// valid until the next call. The last line may lack its newline.
func (l *lineReader) readLine() ([]byte, error) {
	line, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = l.br.ReadSlice('\n')
			if len(l.long) <= maxLine {
				l.long = append(l.long, line...)
			}
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
