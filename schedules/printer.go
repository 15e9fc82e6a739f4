package schedules

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/text"
)

// Printer is the --dry-run Sender: it prints what would be posted and paged
// and writes attachments as files in Dir.
type Printer struct {
	W     io.Writer
	Dir   string
	Rooms config.Rooms
	mu    sync.Mutex
	n     int
}

var _ Sender = (*Printer)(nil)

// Post prints r as the room would show it.
func (p *Printer) Post(ctx context.Context, level opsbot.Level, thread string, r opsbot.Reply) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	where := Room(p.Rooms, level)
	if thread != "" {
		where += ", in thread " + thread
	}
	fmt.Fprintf(p.W, "─── would post to %s (%s) ───\n%s\n", where, level, strings.TrimRight(text.Reply(&r), "\n"))
	for _, f := range r.Files {
		path := filepath.Join(p.Dir, filepath.Base(f.Name))
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return "", fmt.Errorf("write %s: %w", f.Name, err)
		}
		fmt.Fprintf(p.W, "[attachment] %s: %s (%s, %d bytes)\n", f.Title, path, f.MimeType, len(f.Data))
	}
	fmt.Fprintln(p.W)
	return fmt.Sprintf("dry-run.%06d", p.n), nil
}

// Page prints the page.
func (p *Printer) Page(ctx context.Context, pg opsbot.Page, thread string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.W, "─── would page %s: %s, dedup key %s, severity %s ───\n%s\n\n", pg.Service, pg.Action, pg.DedupKey, pg.Severity, pg.Summary)
	return nil
}
