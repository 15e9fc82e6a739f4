package edgelog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Defaults of DecompressLimits. Logs compress about 10:1 with gzip, 20:1
// with zstd; deflate cannot exceed 1032:1, zstd can reach 30,000:1 and
// more, which is what bombs use.
const (
	DefaultMaxExpansion = 1000
	DefaultAllowance    = 256 << 20
)

// ErrExpansion: a compressed object inflates beyond its expansion limit
// (a decompression bomb, or a limit too low for a genuine object).
var ErrExpansion = errors.New("decompressed size over the expansion limit")

// DecompressLimits bound what a compressed object may inflate to: at most
// MaxExpansion bytes per stored byte read so far, once past Allowance
// bytes (small objects of repetitive lines may exceed the ratio). Zero
// values take the defaults.
type DecompressLimits struct {
	MaxExpansion int64
	Allowance    int64
}

// Decompress is DecompressLimited with the default limits.
func Decompress(r io.Reader) (io.Reader, error) {
	return DecompressLimited(r, DecompressLimits{})
}

// DecompressLimited sniffs r: gzip (every member of a multi-member file,
// as ALB writes them), zstd, or plain text, which passes through. The
// result implements io.Closer when it holds resources (zstd): close it when
// done. A corrupt or truncated stream shows as an error from Read, and so
// does one inflating beyond l (ErrExpansion): it streams, nothing is held.
func DecompressLimited(r io.Reader, l DecompressLimits) (io.Reader, error) {
	if l.MaxExpansion <= 0 {
		l.MaxExpansion = DefaultMaxExpansion
	}
	if l.Allowance <= 0 {
		l.Allowance = DefaultAllowance
	}
	in := &countReader{r: r}
	br := bufio.NewReaderSize(in, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br) // multistream by default
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return &expansion{r: zr, in: in, l: l, codec: "gzip"}, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return &expansion{r: zr.IOReadCloser(), in: in, l: l, codec: "zstd"}, nil
	}
	return br, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// expansion fails a decompressed stream once it outgrows its limits.
type expansion struct {
	r     io.Reader
	in    *countReader
	out   int64
	l     DecompressLimits
	codec string
}

func (e *expansion) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.out += int64(n)
	if e.out > e.l.Allowance && e.out > e.l.MaxExpansion*e.in.n {
		return n, fmt.Errorf("%s: %w: %d bytes from %d stored, over %d:1 (a decompression bomb, or raise the limit if the object is genuine)",
			e.codec, ErrExpansion, e.out, e.in.n, e.l.MaxExpansion)
	}
	return n, err
}

// Close closes the decoder when it holds resources (zstd).
func (e *expansion) Close() error {
	if c, ok := e.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
