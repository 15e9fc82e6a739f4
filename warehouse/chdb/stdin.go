package chdb

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

var (
	stdinOnce sync.Once
	stdinErr  error
	// fd0 keeps the *os.File for descriptor 0 reachable: if it were
	// collected, its finalizer would close fd 0, the next open() would reuse
	// it, and the engine would read that file as INSERT data.
	fd0 *os.File //lint:ignore U1000 written only: being referenced is its purpose
)

// detachStdin keeps the engine off the process's piped input. chDB, like
// clickhouse-local, reads a non-terminal stdin as data for INSERTs ("async
// inserts with both inlined and external data"), which would fail the
// schema migration and eat a piped chat's questions. Descriptor 0 becomes
// /dev/null; os.Stdin becomes a copy of the original for Go readers. A
// terminal stays as it is.
func detachStdin() error {
	stdinOnce.Do(func() {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return
		}
		fd, err := unix.Dup(int(os.Stdin.Fd()))
		if err != nil {
			stdinErr = fmt.Errorf("chdb: keep stdin: %w", err)
			return
		}
		null, err := os.Open(os.DevNull)
		if err != nil {
			stdinErr = fmt.Errorf("chdb: %w", err)
			return
		}
		defer null.Close()
		if err := unix.Dup2(int(null.Fd()), 0); err != nil {
			stdinErr = fmt.Errorf("chdb: detach stdin: %w", err)
			return
		}
		fd0, os.Stdin = os.Stdin, os.NewFile(uintptr(fd), "/dev/stdin")
	})
	return stdinErr
}
