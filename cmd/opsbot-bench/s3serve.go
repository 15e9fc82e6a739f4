package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// serveS3 runs an in-memory S3 server on loopback, prints its URL and
// serves until its standard input closes. The ingest benchmark runs it as
// a child process, so that the objects it holds do not count in the peak
// memory measured for opsbot.
func serveS3(ctx context.Context, _ []string) error {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	fmt.Println(srv.URL)
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// startS3 starts serveS3 in a child process and returns its URL.
func startS3() (string, func(), error) {
	cmd := exec.Command(os.Args[0], "s3serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start the S3 server: %w", err)
	}
	stop := func() { in.Close(); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("the S3 server printed no address: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}
