package loggen

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// CloudFrontFields is the #Fields header of CloudFront's standard log
// (legacy) as delivered today: 33 fields.
const CloudFrontFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
	"cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header " +
	"cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type " +
	"cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type " +
	"sc-content-type sc-content-len sc-range-start sc-range-end"

// CloudFrontWriter writes lines in CloudFront's standard log format.
type CloudFrontWriter struct {
	w      *bufio.Writer
	domain string
	buf    []byte
}

// NewCloudFrontWriter writes the #Version and #Fields header to w.
func NewCloudFrontWriter(w io.Writer, distribution string) (*CloudFrontWriter, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := fmt.Fprintf(bw, "#Version: 1.0\n#Fields: %s\n", CloudFrontFields); err != nil {
		return nil, err
	}
	return &CloudFrontWriter{w: bw, domain: "d" + lowerID(distribution) + ".cloudfront.net"}, nil
}

// Write appends one line.
func (c *CloudFrontWriter) Write(l *Line) error {
	b := c.buf[:0]
	b = l.TS.AppendFormat(b, "2006-01-02\t15:04:05")
	b = tab(b, l.EdgeLocation)
	b = append(append(b, '\t'), strconv.FormatInt(l.BytesOut, 10)...)
	b = tab(b, l.ClientIP)
	b = tab(b, l.Method)
	b = tab(b, c.domain)
	b = tab(b, l.Path)
	b = append(b, '\t')
	b = appendStatus(b, l.Status)
	b = tab(b, dash(l.Referer))
	b = tab(b, dash(EncodeUA(l.UserAgent)))
	b = tab(b, dash(l.Query))
	b = tab(b, "-")
	b = tab(b, l.ResultType)
	b = tab(b, l.RequestID)
	b = tab(b, l.Host)
	b = tab(b, l.Protocol)
	b = append(append(b, '\t'), strconv.FormatInt(l.BytesIn, 10)...)
	b = append(append(b, '\t'), strconv.FormatFloat(l.TimeTaken, 'f', 3, 64)...)
	b = tab(b, dash(encodeSpaces(l.ForwardedFor)))
	b = tab(b, "TLSv1.3\tTLS_AES_128_GCM_SHA256")
	b = tab(b, l.ResultType)
	b = tab(b, l.HTTPVersion)
	b = tab(b, "-\t-\t443")
	b = append(append(b, '\t'), strconv.FormatFloat(l.TimeTaken*0.9, 'f', 3, 64)...)
	b = tab(b, l.ResultType)
	b = tab(b, "text/html\t-\t-\t-\n")
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

// Flush writes out what is buffered.
func (c *CloudFrontWriter) Flush() error { return c.w.Flush() }

func tab(b []byte, s string) []byte { return append(append(b, '\t'), s...) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func appendStatus(b []byte, s int) []byte {
	if s == 0 {
		return append(b, "000"...)
	}
	return strconv.AppendInt(b, int64(s), 10)
}

// EncodeUA URL-encodes a user agent the way CloudFront logs it: spaces and
// other unsafe bytes as %XX.
func EncodeUA(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '"' || c == '\\' {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func encodeSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			out = append(out, "%20"...)
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func lowerID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// Object is one written log object.
type Object struct {
	Path  string
	Lines int
}

// WriteObjects writes the traffic of o as n gzipped CloudFront objects in
// dir, named like CloudFront names them (DIST.YYYY-MM-DD-HH.ID.gz), each
// covering an equal slice of the period.
func WriteObjects(dir string, o Options, n int) ([]Object, error) {
	o.fill()
	if n < 1 {
		n = 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	per := (o.Lines + n - 1) / n
	var objs []Object
	var cur *objectFile
	var err error
	i := 0
	Each(o, func(l *Line) {
		if err != nil {
			return
		}
		if i%per == 0 {
			if cur != nil {
				objs, err = append(objs, cur.obj), cur.close()
			}
			if err == nil {
				cur, err = createObject(dir, o.Distribution, l.TS, len(objs))
			}
		}
		if err == nil {
			err = cur.write(l)
		}
		i++
	})
	if err == nil && cur != nil {
		objs, err = append(objs, cur.obj), cur.close()
	}
	return objs, err
}

type objectFile struct {
	f   *os.File
	gz  *gzip.Writer
	cf  *CloudFrontWriter
	obj Object
}

func createObject(dir, dist string, t time.Time, seq int) (*objectFile, error) {
	name := fmt.Sprintf("%s.%s.%08x.gz", dist, t.Format("2006-01-02-15"), 0x5eed0000+seq)
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	gz := gzip.NewWriter(f)
	cf, err := NewCloudFrontWriter(gz, dist)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &objectFile{f: f, gz: gz, cf: cf, obj: Object{Path: f.Name()}}, nil
}

func (o *objectFile) write(l *Line) error {
	o.obj.Lines++
	return o.cf.Write(l)
}

func (o *objectFile) close() error {
	if err := o.cf.Flush(); err != nil {
		return err
	}
	if err := o.gz.Close(); err != nil {
		return err
	}
	return o.f.Close()
}
