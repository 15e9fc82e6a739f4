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
	"github.com/opsbot/opsbot/schedules/internal/namedq"
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
	fmt.Fprintf(p.W, "─── would post to %s (%s) ───\n%s\n", where, level, Text(r))
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

// Text renders a reply as plain text.
func Text(r opsbot.Reply) string {
	var b strings.Builder
	if r.Here {
		b.WriteString("@here ")
	}
	b.WriteString(r.Title + "\n")
	if r.Text != "" {
		b.WriteString(r.Text + "\n")
	}
	if r.Table != nil {
		table(&b, r.Table)
	}
	if r.Context != "" {
		b.WriteString(r.Context + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func table(b *strings.Builder, t *opsbot.Result) {
	w := make([]int, len(t.Columns))
	cells := make([][]string, len(t.Rows))
	for i, c := range t.Columns {
		w[i] = len(c.Name)
	}
	for r, row := range t.Rows {
		for i, v := range row {
			s := namedq.S(v)
			cells[r] = append(cells[r], s)
			w[i] = max(w[i], len([]rune(s)))
		}
	}
	line := func(vals []string) {
		for i, v := range vals {
			fmt.Fprintf(b, "%-*s  ", w[i], v)
		}
		b.WriteString("\n")
	}
	var head []string
	for _, c := range t.Columns {
		head = append(head, c.Name)
	}
	line(head)
	for _, c := range cells {
		line(c)
	}
}
