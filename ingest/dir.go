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

	"github.com/opsbot/opsbot"
)

// Dir is a local folder of log objects, read recursively. Keys are paths
// relative to the folder with forward slashes; the ETag is the size and
// modification time, so a rewritten file is a new version.
type Dir struct {
	Root string
}

var (
	_ Source = (*Dir)(nil)
	_ Stater = (*Dir)(nil)
)

func (d *Dir) String() string { return d.Root }

// List implements Source. Hidden files and folders (".name") are skipped.
func (d *Dir) List(ctx context.Context, fn func(Object) error) error {
	if st, err := os.Stat(d.Root); err != nil {
		return fmt.Errorf("list %s: %w", d.Root, err)
	} else if !st.IsDir() {
		return fmt.Errorf("list %s: not a folder", d.Root)
	}
	return filepath.WalkDir(d.Root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path != d.Root && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		o, err := d.object(path, e)
		if err != nil {
			return err
		}
		return fn(o)
	})
}

func (d *Dir) object(path string, e fs.DirEntry) (Object, error) {
	info, err := e.Info()
	if err != nil {
		return Object{}, fmt.Errorf("list %s: %w", path, err)
	}
	rel, err := filepath.Rel(d.Root, path)
	if err != nil {
		return Object{}, err
	}
	return Object{
		Key:      filepath.ToSlash(rel),
		ETag:     fmt.Sprintf("%x-%x", info.Size(), info.ModTime().UnixNano()),
		Size:     info.Size(),
		Modified: info.ModTime().UTC(),
	}, nil
}

// Open implements Source.
func (d *Dir) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.Root, filepath.FromSlash(o.Key)))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", o.Key, err)
	}
	return f, nil
}

// Stat implements Stater.
func (d *Dir) Stat(ctx context.Context, bucket, key string) (Object, error) {
	path := filepath.Join(d.Root, filepath.FromSlash(key))
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, fmt.Errorf("%s: %w", path, opsbot.ErrNotFound)
	}
	if err != nil {
		return Object{}, err
	}
	if !info.Mode().IsRegular() {
		return Object{}, fmt.Errorf("%s: not a file", path)
	}
	return d.object(path, fs.FileInfoToDirEntry(info))
}
