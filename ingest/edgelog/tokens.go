package edgelog

import "bytes"

// field returns the space-separated field of line at i and where the next
// one starts. A quoted field ("…", with backslash escapes) comes without its
// quotes and with quoted set; a bracketed one ([…]) without its brackets.
// ok is false at the end of the line or when a quote or bracket is not
// closed.
func field(line []byte, i int) (f []byte, next int, quoted, ok bool) {
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i >= len(line) {
		return nil, i, false, false
	}
	switch line[i] {
	case '"':
		for j := i + 1; j < len(line); j++ {
			switch line[j] {
			case '\\':
				j++
			case '"':
				if j+1 < len(line) && line[j+1] != ' ' {
					continue // a stray quote inside the field
				}
				return line[i+1 : j], j + 1, true, true
			}
		}
		return nil, i, true, false
	case '[':
		j := bytes.IndexByte(line[i:], ']')
		if j < 0 {
			return nil, i, false, false
		}
		return line[i+1 : i+j], i + j + 1, false, true
	}
	j := bytes.IndexByte(line[i:], ' ')
	if j < 0 {
		return line[i:], len(line), false, true
	}
	return line[i : i+j], i + j, false, true
}

// unquote appends a quoted field with its backslash escapes (\" \\ \xHH
// \n \t) decoded to dst; the rest is kept as it is.
func unquote(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			dst = append(dst, c)
			continue
		}
		switch e := b[i+1]; e {
		case '"', '\\':
			dst = append(dst, e)
			i++
		case 'n':
			dst = append(dst, '\n')
			i++
		case 't':
			dst = append(dst, '\t')
			i++
		case 'x':
			if i+3 < len(b) {
				h, ok1 := unhex(b[i+2])
				l, ok2 := unhex(b[i+3])
				if ok1 && ok2 {
					dst = append(dst, h<<4|l)
					i += 3
					continue
				}
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// request splits an HTTP request line "METHOD TARGET PROTO". A target that
// is an absolute URL gives scheme and host (without port). A line that is
// not a request (garbage on a TLS port, "-") is kept whole as path.
type request struct {
	method, scheme, host, path, query, proto []byte
}

func (q *request) parse(line []byte) {
	*q = request{}
	line = dash(line)
	if len(line) == 0 {
		return
	}
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		q.path = line
		return
	}
	target := line[sp1+1:]
	if sp2 := bytes.LastIndexByte(target, ' '); sp2 >= 0 {
		q.proto = dash(target[sp2+1:])
		target = target[:sp2]
	}
	if !token(line[:sp1]) || (len(q.proto) > 0 && !bytes.HasPrefix(q.proto, []byte("HTTP/"))) {
		*q = request{path: line}
		return
	}
	q.method = dash(line[:sp1])
	q.url(target)
}

// url splits a request target, absolute or not.
func (q *request) url(target []byte) {
	if i := bytes.Index(target, []byte("://")); i > 0 && i < 6 {
		q.scheme = target[:i]
		rest := target[i+3:]
		end := len(rest)
		if j := bytes.IndexAny(rest, "/?"); j >= 0 {
			end = j
		}
		q.host, target = rest[:end], rest[end:]
		if k := bytes.LastIndexByte(q.host, ':'); k >= 0 && bytes.IndexByte(q.host, ']') < k {
			q.host = q.host[:k]
		}
	}
	q.path, q.query = splitURI(target)
}

// token says whether b looks like an HTTP method.
func token(b []byte) bool {
	if len(b) == 0 || len(b) > 24 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || c == '"' {
			return false
		}
	}
	return true
}

// hostPort parses "address:port", "[v6]:port" or a bare address.
func hostPort(b []byte, out *[16]byte) bool {
	if len(b) > 0 && b[0] == '[' {
		if j := bytes.IndexByte(b, ']'); j > 0 {
			return parseIP(b[1:j], out)
		}
		return false
	}
	if parseIP(b, out) {
		return true
	}
	if k := bytes.LastIndexByte(b, ':'); k > 0 {
		return parseIP(b[:k], out)
	}
	return false
}
