package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/opsbot/opsbot"
)

// Dir is a local folder of log objects, read recursively. Keys are paths
// relative to the folder with forward slashes; the ETag is the size and
// modification time, so a rewritten file is a new version.
//
// Only regular files are read. Symbolic links (never followed: one can
// point out of the folder), named pipes, sockets, devices and folders that
// cannot be read are listed with a Skip saying why, so that the worker
// records them.
type Dir struct {
	Root string
}

var (
	_ Source = (*Dir)(nil)
	_ Stater = (*Dir)(nil)
)

func (d *Dir) String() string { return d.Root }

// List implements Source. Hidden files and folders (".name") are passed
// over without a record.
func (d *Dir) List(ctx context.Context, fn func(Object) error) error {
	if st, err := os.Stat(d.Root); err != nil {
		return fmt.Errorf("list %s: %w", d.Root, err)
	} else if !st.IsDir() {
		return fmt.Errorf("list %s: not a folder", d.Root)
	}
	return filepath.WalkDir(d.Root, func(path string, e fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return d.unreadable(path, e, err, fn)
		}
		if path != d.Root && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			return nil
		}
		o, err := d.object(path, e)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed since the folder was read: nothing to record
		}
		if err != nil {
			return err
		}
		return fn(o)
	})
}

// unreadable lists a folder that could not be read (or an entry that could
// not be looked at) as skipped; the walk goes on.
func (d *Dir) unreadable(path string, e fs.DirEntry, err error, fn func(Object) error) error {
	if path == d.Root || e == nil {
		return fmt.Errorf("list %s: %w", path, err)
	}
	o, oerr := d.object(path, e)
	if oerr != nil {
		return nil // gone: nothing to record
	}
	if e.IsDir() {
		o.Key += "/"
	}
	o.Skip = &Skip{Reason: SkipUnreadable, Detail: fmt.Sprintf("%v (give the user opsbot runs as read access)", err)}
	return fn(o)
}

// object describes the entry at path from its own metadata (a link's, not
// its target's), with a Skip when it is not a regular file.
func (d *Dir) object(path string, e fs.DirEntry) (Object, error) {
	info, err := e.Info()
	if err != nil {
		return Object{}, fmt.Errorf("list %s: %w", path, err)
	}
	rel, err := filepath.Rel(d.Root, path)
	if err != nil {
		return Object{}, err
	}
	o := Object{
		Key:      filepath.ToSlash(rel),
		ETag:     fmt.Sprintf("%x-%x", info.Size(), info.ModTime().UnixNano()),
		Size:     info.Size(),
		Modified: info.ModTime().UTC(),
	}
	o.Skip = d.skipOf(path, info.Mode())
	return o, nil
}

func (d *Dir) skipOf(path string, mode fs.FileMode) *Skip {
	switch {
	case mode&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return &Skip{Reason: SkipSymlink, Detail: fmt.Sprintf("a symbolic link to %q, which opsbot does not follow (it could lead out of %s): move or copy the file into the folder", target, d.Root)}
	case !mode.IsRegular():
		return &Skip{Reason: SkipNotFile, Detail: fmt.Sprintf("a %s, not a regular file: opsbot reads only files", kind(mode))}
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file (" + m.Type().String() + ")"
}

// Open implements Source. The file is opened without blocking (a named
// pipe put in its place since the listing would wait for a writer
// forever) and must still be a regular file. An entry that cannot be
// opened (permission denied, gone) or is no longer a file is a Skip.
func (d *Dir) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	path := filepath.Join(d.Root, filepath.FromSlash(o.Key))
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		return nil, &Skip{Reason: SkipUnreadable, Detail: fmt.Sprintf("open %s: %v (give the user opsbot runs as read access; a file removed after the listing is recorded this way)", o.Key, unwrapPath(err))}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", o.Key, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", o.Key, err)
	}
	if why := d.skipOf(path, info.Mode()); why != nil {
		f.Close()
		return nil, why
	}
	return f, nil
}

// unwrapPath is a file error without its path (the key says which).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Stat implements Stater.
func (d *Dir) Stat(ctx context.Context, bucket, key string) (Object, error) {
	path := filepath.Join(d.Root, filepath.FromSlash(key))
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, opsbot.NotFoundf("%s", path)
	}
	if err != nil {
		return Object{}, err
	}
	if info.IsDir() {
		return Object{}, fmt.Errorf("%s: a folder, not a file", path)
	}
	return d.object(path, fs.FileInfoToDirEntry(info))
}
