package warehouse

import (
	"errors"
	"regexp"
	"strconv"
)

// Error is an error the engine raised, with its ClickHouse error code
// (60 UNKNOWN_TABLE, 241 MEMORY_LIMIT_EXCEEDED …), so that callers decide
// on the code, never on the message's text.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// CodeOf is err's engine error code, or 0 when the engine raised none.
func CodeOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// leadingCode is how the engine starts an exception's text.
var leadingCode = regexp.MustCompile(`^Code: (\d+)\. `)

// ErrorFromText reads an exception the engine reported as text ("Code: 60.
// DB::Exception: …", as chDB does) into an *Error; other text stays a plain
// error.
func ErrorFromText(msg string) error {
	err := errors.New(msg)
	if m := leadingCode.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &Error{Code: code, Err: err}
	}
	return err
}
