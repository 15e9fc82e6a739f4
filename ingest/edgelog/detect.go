package edgelog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// ErrUnknownFormat says a format name or an object's content was not
// recognized.
var ErrUnknownFormat = errors.New("unknown log format")

// DetectBytes is how much of the decompressed start of an object Detect
// wants to see: the first line of every format fits.
const DetectBytes = 16 << 10

// Detect names the format of an object from the first bytes of its
// decompressed content (up to DetectBytes), using the object's name only
// when the content cannot tell (an empty object). The error says which
// object and why.
func Detect(name string, head []byte) (Format, error) {
	line := firstLine(head)
	if f, ok := detectLine(line); ok {
		return f, nil
	}
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return CloudFrontV2Parquet, nil
	}
	if bytes.HasPrefix(head, gzipMagic) || bytes.HasPrefix(head, zstdMagic) {
		return "", fmt.Errorf("object %q: %w: it is still compressed (Decompress it first)", name, ErrUnknownFormat)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		if f, ok := detectName(name); ok {
			return f, nil
		}
		return "", fmt.Errorf("object %q: %w: it is empty", name, ErrUnknownFormat)
	}
	return "", fmt.Errorf("object %q: %w: first line %q is none of %s", name, ErrUnknownFormat,
		clip(line, 120), strings.Join(formatNames(), ", "))
}

func formatNames() []string {
	var s []string
	for _, f := range Formats() {
		s = append(s, string(f))
	}
	return s
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// firstLine is the first non-blank line of head.
func firstLine(head []byte) []byte {
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		line := head
		if i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if !blank(line) {
			return line
		}
	}
	return nil
}

func detectLine(line []byte) (Format, bool) {
	switch {
	case len(line) == 0:
		return "", false
	case bytes.HasPrefix(line, []byte("#Version:")) || bytes.HasPrefix(line, fieldsDirective):
		return CloudFront, true
	case line[0] == '{':
		return detectJSON(line)
	case line[0] == '<':
		if _, rest, ok := cutSyslog(line); ok {
			if len(rest) > 0 && rest[0] == '{' {
				return Fastly, true
			}
			var r row
			var c combined
			if reason, _ := c.parse(rest, &r); reason == "" {
				return Fastly, true
			}
		}
		return "", false
	}
	var r row
	if reason, _ := (&alb{}).parse(line, &r); reason == "" {
		return ALB, true
	}
	if reason, _ := (&combined{}).parse(line, &r); reason == "" {
		return Combined, true
	}
	if reason, _ := newCloudFront().parse(line, &r); reason == "" {
		return CloudFront, true // legacy lines without their header
	}
	return "", false
}

// detectJSON tells the JSON formats apart by their keys.
func detectJSON(line []byte) (Format, bool) {
	var s objScanner
	s.reset(line)
	cf, fastlyKeys := 0, 0
	for s.next() {
		switch string(s.key) {
		case "EdgeStartTimestamp", "RayID", "ClientRequestHost", "EdgeResponseStatus", "ClientIP":
			return Cloudflare, true
		case "c-ip", "x-edge-location", "x-edge-request-id", "sc-status", "cs-uri-stem":
			cf++
		default:
			if fastlyKey(s.key) {
				fastlyKeys++
			}
		}
	}
	switch {
	case s.err != "":
		return "", false
	case cf > 0:
		return CloudFrontV2JSON, true
	case fastlyKeys > 0:
		return Fastly, true
	}
	return "", false
}

// detectName guesses from an object name the way each service names them.
func detectName(name string) (Format, bool) {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(name), ".gz"), ".zst")
	switch {
	case strings.HasSuffix(base, ".parquet"):
		return CloudFrontV2Parquet, true
	case strings.Contains(name, "_elasticloadbalancing_"):
		return ALB, true
	case strings.HasSuffix(base, ".log") && strings.Contains(name, "/cloudfront"):
		return CloudFront, true
	}
	return "", false
}

// Sniff detects the format of a decompressed object (see Decompress) from
// its first DetectBytes, and returns a reader that still yields the whole
// object.
func Sniff(name string, r io.Reader) (Format, io.Reader, error) {
	br := bufio.NewReaderSize(r, DetectBytes)
	head, err := br.Peek(DetectBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", nil, fmt.Errorf("object %q: %w", name, err)
	}
	f, err := Detect(name, head)
	return f, br, err
}
