package edgelog

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"unsafe"
)

// str views b as a string without copying; the string must not outlive b.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// dash maps CloudFront's and the log formats' "-" to empty.
func dash(b []byte) []byte {
	if len(b) == 1 && b[0] == '-' {
		return nil
	}
	return b
}

// parseIP reads an IPv4 or IPv6 address into 16 bytes (IPv4 mapped).
func parseIP(b []byte, out *[16]byte) bool {
	if ipv4(b, out) {
		return true
	}
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	for _, c := range b {
		if c == '%' { // zones are not client addresses
			return false
		}
	}
	a, err := netip.ParseAddr(str(b))
	if err != nil {
		return false
	}
	*out = a.As16()
	return true
}

// ipv4 is the fast path of parseIP for dotted quads.
func ipv4(b []byte, out *[16]byte) bool {
	if len(b) < 7 || len(b) > 15 {
		return false
	}
	var oct [4]byte
	k, v, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && v == 0 { // no leading zeros
				return false
			}
			v = v*10 + int(c-'0')
			digits++
			if v > 255 {
				return false
			}
		case c == '.' && digits > 0 && k < 3:
			oct[k] = byte(v)
			k, v, digits = k+1, 0, 0
		default:
			return false
		}
	}
	if k != 3 || digits == 0 {
		return false
	}
	oct[3] = byte(v)
	*out = [16]byte{10: 0xff, 11: 0xff, 12: oct[0], 13: oct[1], 14: oct[2], 15: oct[3]}
	return true
}

// parseUint reads decimal digits; "" and "-" are 0.
func parseUint(b []byte) (uint64, bool) {
	b = dash(b)
	if len(b) > 19 {
		v, err := strconv.ParseUint(str(b), 10, 64)
		return v, err == nil
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// parseStatus reads an HTTP status: three digits ("000" is 0), "" or "-".
func parseStatus(b []byte) (uint16, bool) {
	v, ok := parseUint(b)
	if !ok || v > 999 {
		return 0, false
	}
	return uint16(v), true
}

// parseFloat reads a decimal number; "" and "-" are 0.
func parseFloat(b []byte) (float64, bool) {
	b = dash(b)
	if len(b) == 0 {
		return 0, true
	}
	if v, ok := fastDecimal(b); ok {
		return v, true
	}
	if c := b[0]; c != '-' && c != '.' && (c < '0' || c > '9') {
		return 0, false // no "NaN", "Inf"
	}
	v, err := strconv.ParseFloat(str(b), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastDecimal reads "123", "0.001", "12.5" (up to 15 digits, no sign or
// exponent) exactly: an integer below 2^53 divided by an exact power of ten
// is correctly rounded.
func fastDecimal(b []byte) (float64, bool) {
	var m uint64
	digits, frac, dot := 0, 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	return float64(m) / pow10[frac], true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hasEscape says whether b holds a %XX escape.
func hasEscape(b []byte) bool {
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			if _, ok := unhex(b[i+1]); ok {
				if _, ok := unhex(b[i+2]); ok {
					return true
				}
			}
		}
	}
	return false
}

// unescape appends b with %XX escapes decoded to dst ("+" stays "+"; a "%"
// without two hex digits stays as it is).
func unescape(dst, b []byte) []byte {
	dst, _ = unescapePct(dst, b)
	return dst
}

// unescapePct is unescape that also says whether a "%25" (an escaped "%")
// was decoded.
func unescapePct(dst, b []byte) ([]byte, bool) {
	n := len(dst)
	dst = slices.Grow(dst, len(b))[:n+len(b)]
	j, pct := unescapeTo(dst[n:], b)
	return dst[:n+j], pct
}

// unescapePct2 decodes b into dst[:0], which may be b itself: the output
// never runs ahead of the input.
func unescapePct2(dst, b []byte) []byte {
	j, _ := unescapeTo(dst[:len(b)], b)
	return dst[:j]
}

func unescapeTo(out, b []byte) (int, bool) {
	j, pct := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '%' && i+2 < len(b) {
			h, ok1 := unhex(b[i+1])
			l, ok2 := unhex(b[i+2])
			if ok1 && ok2 {
				c = h<<4 | l
				pct = pct || c == '%'
				i += 2
			}
		}
		out[j] = c
		j++
	}
	return j, pct
}

// splitURI splits a request target at its first "?".
func splitURI(u []byte) (path, query []byte) {
	for i, c := range u {
		if c == '?' {
			return u[:i], u[i+1:]
		}
	}
	return u, nil
}
