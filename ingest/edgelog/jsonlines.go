package edgelog

// jsonFormat maps the members of one JSON log line to a row.
type jsonFormat interface {
	begin()
	// member sees one member; kind is as objScanner's. It returns a reason
	// to reject the line.
	member(key, val []byte, kind byte, r *row) string
	// end completes the row once every member has been seen.
	end(r *row) string
}

// jsonLines parses one JSON object per line with a jsonFormat.
type jsonLines struct {
	s objScanner
	f jsonFormat
}

func (j *jsonLines) parse(line []byte, r *row) (string, bool) {
	if blank(line) {
		return "", true
	}
	return j.object(line, r), false
}

func (j *jsonLines) object(line []byte, r *row) string {
	j.s.reset(line)
	j.f.begin()
	for j.s.next() {
		if j.s.kind == 'z' || j.s.kind == 'o' {
			continue // null, nested: as if absent
		}
		if reason := j.f.member(j.s.key, j.s.val, j.s.kind, r); reason != "" {
			return reason
		}
	}
	if j.s.err != "" {
		return j.s.err
	}
	return j.f.end(r)
}

// jsonTime reads a timestamp member: RFC 3339 text, or a unix time (number
// or digits) in s, ms, µs or ns.
func jsonTime(val []byte) (int64, bool) {
	if ms, ok := parseUnix(val); ok {
		return ms, true
	}
	return parseISO(val)
}

// jsonUint reads an unsigned integer member, as a number or as digits.
func jsonUint(val []byte) (uint64, bool) {
	if len(val) == 0 {
		return 0, true
	}
	return parseUint(val)
}

// upper appends b in upper case to dst.
func upper(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func bad(name string, val []byte) string {
	return "bad " + name + " " + quote(val)
}

func quote(b []byte) string {
	return `"` + clip(b, 64) + `"`
}
