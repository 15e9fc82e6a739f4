package edgelog

import (
	"unicode/utf16"
	"unicode/utf8"
)

// objScanner walks the members of one flat JSON object (a log line) without
// allocating: key and val are slices of the line, or of scratch when they
// held escapes. Nested objects and arrays are skipped whole (kind 'o').
// Every slice stays valid until reset.
type objScanner struct {
	b       []byte
	i       int
	key     []byte
	val     []byte
	kind    byte // 's' string, 'n' number, 'b' true/false, 'z' null, 'o' object or array
	err     string
	done    bool
	scratch []byte
}

func (s *objScanner) reset(line []byte) {
	s.b, s.i, s.err, s.done = line, 0, "", false
	s.scratch = s.scratch[:0]
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		s.fail("not a JSON object")
		return
	}
	s.i++
}

func (s *objScanner) fail(why string) {
	if s.err == "" {
		s.err = why
	}
	s.done = true
}

func (s *objScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// next advances to the next member; false at the end or on an error (err).
func (s *objScanner) next() bool {
	if s.done {
		return false
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		return s.end()
	}
	if s.i < len(s.b) && s.b[s.i] == ',' {
		s.i++
		s.ws()
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		s.fail("bad JSON: expected a key at byte " + itoa(s.i))
		return false
	}
	k, ok := s.str()
	if !ok {
		return false
	}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		s.fail("bad JSON: expected ':' at byte " + itoa(s.i))
		return false
	}
	s.i++
	s.ws()
	if !s.value() {
		return false
	}
	s.key = k
	s.ws()
	if s.i >= len(s.b) || (s.b[s.i] != ',' && s.b[s.i] != '}') {
		s.fail("bad JSON: expected ',' or '}' at byte " + itoa(s.i))
		return false
	}
	return true
}

func (s *objScanner) end() bool {
	s.i++
	s.ws()
	if s.i != len(s.b) {
		s.fail("bad JSON: data after the object at byte " + itoa(s.i))
		return false
	}
	s.done = true
	return false
}

func (s *objScanner) value() bool {
	if s.i >= len(s.b) {
		s.fail("bad JSON: truncated")
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		v, ok := s.str()
		s.val, s.kind = v, 's'
		return ok
	case c == '{' || c == '[':
		return s.skipNested()
	case c == '-' || (c >= '0' && c <= '9'):
		j := s.i
		for j < len(s.b) && isNumByte(s.b[j]) {
			j++
		}
		s.val, s.kind, s.i = s.b[s.i:j], 'n', j
		return true
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.val, s.kind = s.b[s.i:s.i+len(lit)], 'b'
			if lit == "null" {
				s.val, s.kind = nil, 'z'
			}
			s.i += len(lit)
			return true
		}
	}
	s.fail("bad JSON: unexpected byte at " + itoa(s.i))
	return false
}

func isNumByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (s *objScanner) skipNested() bool {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, ok := s.str(); !ok {
				return false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				s.val, s.kind = nil, 'o'
				return true
			}
		}
		s.i++
	}
	s.fail("bad JSON: truncated")
	return false
}

// str reads the string at s.i (on its opening quote).
func (s *objScanner) str() ([]byte, bool) {
	s.i++
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\':
			return s.unescape(start)
		case c < 0x20:
			s.fail("bad JSON: control byte in a string at byte " + itoa(s.i))
			return nil, false
		}
		s.i++
	}
	s.fail("bad JSON: unterminated string")
	return nil, false
}

func (s *objScanner) unescape(start int) ([]byte, bool) {
	from := len(s.scratch)
	s.scratch = append(s.scratch, s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.scratch[from:len(s.scratch):len(s.scratch)], true
		case c < 0x20:
			s.fail("bad JSON: control byte in a string at byte " + itoa(s.i))
			return nil, false
		case c != '\\':
			s.scratch = append(s.scratch, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			s.scratch = append(s.scratch, e)
		case 'b':
			s.scratch = append(s.scratch, '\b')
		case 'f':
			s.scratch = append(s.scratch, '\f')
		case 'n':
			s.scratch = append(s.scratch, '\n')
		case 'r':
			s.scratch = append(s.scratch, '\r')
		case 't':
			s.scratch = append(s.scratch, '\t')
		case 'u':
			if !s.unicode() {
				return nil, false
			}
		default:
			s.fail("bad JSON: bad escape at byte " + itoa(s.i-2))
			return nil, false
		}
	}
	s.fail("bad JSON: unterminated string")
	return nil, false
}

// unicode decodes \uXXXX (s.i is past "\u"), joining surrogate pairs.
func (s *objScanner) unicode() bool {
	r, ok := hex4(s.b, s.i)
	if !ok {
		s.fail("bad JSON: bad \\u escape at byte " + itoa(s.i-2))
		return false
	}
	s.i += 4
	if utf16.IsSurrogate(r) {
		if r2, ok := hex4(s.b, s.i+2); ok && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				s.i += 6
				r = d
			} else {
				r = utf8.RuneError
			}
		} else {
			r = utf8.RuneError
		}
	}
	s.scratch = utf8.AppendRune(s.scratch, r)
	return true
}

func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		h, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
