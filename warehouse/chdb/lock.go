package chdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/opsbot/opsbot/warehouse"
)

// lockDir takes an exclusive advisory lock on dir/opsbot.lock and writes
// who holds it. The kernel drops the lock when the process dies, so a
// crashed owner never leaves the folder stuck.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "opsbot.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("%w: %s is held by %s; stop it, or ask through it, or use another --data folder",
			warehouse.ErrLocked, dir, strings.TrimSpace(string(owner)))
	}
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d (%s, since %s)\n", os.Getpid(), strings.Join(os.Args, " "), time.Now().UTC().Format(time.RFC3339))
	return f, nil
}

func unlockDir(f *os.File) {
	if f == nil {
		return
	}
	f.Truncate(0)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}
