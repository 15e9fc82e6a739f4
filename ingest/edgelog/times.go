package edgelog

// Times are parsed by hand from bytes: the standard library's time.Parse
// takes strings and time zones, and costs more than the rest of a line.

// daysFromCivil is the number of days from 1970-01-01 to y-m-d (proleptic
// Gregorian; Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// digits reads n decimal digits at b[i:].
func digits(b []byte, i, n int) (int, bool) {
	if i+n > len(b) {
		return 0, false
	}
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

var monthDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > monthDays[m] {
		return false
	}
	return m != 2 || d < 29 || (y%4 == 0 && (y%100 != 0 || y%400 == 0))
}

// parseDate reads "YYYY-MM-DD".
func parseDate(b []byte) (y, m, d int, ok bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(b, 0, 4)
	m, ok2 := digits(b, 5, 2)
	d, ok3 := digits(b, 8, 2)
	return y, m, d, ok1 && ok2 && ok3 && validDate(y, m, d)
}

// parseClock reads "HH:MM:SS" with an optional fraction; it returns the
// milliseconds since midnight and the bytes used.
func parseClock(b []byte) (int64, int, bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, false
	}
	h, ok1 := digits(b, 0, 2)
	mi, ok2 := digits(b, 3, 2)
	s, ok3 := digits(b, 6, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 60 {
		return 0, 0, false
	}
	ms, n := 0, 8
	if n < len(b) && (b[n] == '.' || b[n] == ',') {
		n++
		k := 0
		for ; n < len(b) && b[n] >= '0' && b[n] <= '9'; k, n = k+1, n+1 {
			if k < 3 {
				ms = ms*10 + int(b[n]-'0')
			}
		}
		switch k {
		case 0:
			return 0, 0, false
		case 1:
			ms *= 100
		case 2:
			ms *= 10
		}
	}
	return int64(((h*60+mi)*60+s)*1000 + ms), n, true
}

// parseDateTime reads CloudFront's separate date and time fields.
func parseDateTime(date, clock []byte) (int64, bool) {
	y, m, d, ok := parseDate(date)
	if !ok {
		return 0, false
	}
	ms, n, ok := parseClock(clock)
	if !ok || n != len(clock) {
		return 0, false
	}
	return daysFromCivil(y, m, d)*86400000 + ms, true
}

// parseISO reads an RFC 3339 / ISO 8601 timestamp: "2026-11-22T10:00:00Z",
// with an optional fraction and a "Z", "+hh:mm" or "+hhmm" offset (none
// means UTC); "T" may be a space.
func parseISO(b []byte) (int64, bool) {
	if len(b) < 19 || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') {
		return 0, false
	}
	y, m, d, ok := parseDate(b[:10])
	if !ok {
		return 0, false
	}
	ms, n, ok := parseClock(b[11:])
	if !ok {
		return 0, false
	}
	off, ok := parseOffset(b[11+n:])
	if !ok {
		return 0, false
	}
	return daysFromCivil(y, m, d)*86400000 + ms - off, true
}

// parseOffset reads "", "Z", "+hh:mm", "+hhmm" or "+hh" as milliseconds.
func parseOffset(b []byte) (int64, bool) {
	switch {
	case len(b) == 0:
		return 0, true
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		return 0, true
	case b[0] != '+' && b[0] != '-':
		return 0, false
	}
	h, ok := digits(b, 1, 2)
	if !ok {
		return 0, false
	}
	m := 0
	switch len(b) {
	case 3:
	case 5:
		m, ok = digits(b, 3, 2)
	case 6:
		m, ok = digits(b, 4, 2)
		ok = ok && b[3] == ':'
	default:
		ok = false
	}
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	v := int64(h*60+m) * 60000
	if b[0] == '-' {
		v = -v
	}
	return v, true
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseCLF reads the common log format's "10/Oct/2000:13:55:36 -0700".
func parseCLF(b []byte) (int64, bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' {
		return 0, false
	}
	d, ok1 := digits(b, 0, 2)
	y, ok2 := digits(b, 7, 4)
	m := 0
	for i, name := range months {
		if string(b[3:6]) == name {
			m = i + 1
		}
	}
	if !ok1 || !ok2 || m == 0 || !validDate(y, m, d) {
		return 0, false
	}
	ms, n, ok := parseClock(b[12:])
	if !ok {
		return 0, false
	}
	rest := b[12+n:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	off, ok := parseOffset(rest)
	if !ok {
		return 0, false
	}
	return daysFromCivil(y, m, d)*86400000 + ms - off, true
}

// parseUnix reads a unix time as an integer or decimal number in seconds,
// milliseconds, microseconds or nanoseconds, told apart by magnitude
// (seconds up to the year 5138).
func parseUnix(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		v = v*10 + int64(b[i]-'0')
	}
	if i == 0 || i > 19 {
		return 0, false
	}
	frac := int64(0)
	if i < len(b) {
		if b[i] != '.' || i+1 == len(b) {
			return 0, false
		}
		scale := int64(100)
		for _, c := range b[i+1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			frac += int64(c-'0') * scale
			scale /= 10
		}
	}
	switch {
	case v < 1e11:
		return v*1000 + frac, true
	case v < 1e14:
		return v, true
	case v < 1e17:
		return v / 1000, true
	}
	return v / 1000000, true
}
