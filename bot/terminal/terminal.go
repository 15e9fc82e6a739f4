// Package terminal is the terminal chat (`opsbot chat`): the same router and
// commands as Slack, with line editing and history when stdin is a
// terminal, and one answer per input line when it is not (pipes, tests).
// Answers are rendered as plain text with aligned tables, through
// text.Reply: no control or bidi character from data reaches the
// terminal. Attachments
// (charts, CSV, the 2FA QR code) go to a folder of the run's own, which
// only its user can enter.
package terminal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"golang.org/x/term"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// Options configure a chat session.
type Options struct {
	User    opsbot.User // the local identity (config slack.terminal)
	History string      // history file; "" keeps none
	Files   string      // where each run makes its private folder for attachments; default os.TempDir()
	In      io.Reader   // default os.Stdin
	Out     io.Writer   // default os.Stdout
	Now     func() time.Time
}

// Run reads commands until end of input, "exit"/"quit", or ctx ends.
func Run(ctx context.Context, h opsbot.Handler, o Options) error {
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	files := &attachments{parent: o.Files}
	if f, ok := o.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return interactive(ctx, h, o, files)
	}
	sc := bufio.NewScanner(o.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() && ctx.Err() == nil {
		if !answer(ctx, h, o, files, sc.Text()) {
			return nil
		}
	}
	return sc.Err()
}

// interactive reads with line editing and history.
func interactive(ctx context.Context, h opsbot.Handler, o Options, files *attachments) error {
	if o.History != "" { // private: it may hold hosts, addresses, codes
		_ = os.MkdirAll(filepath.Dir(o.History), 0o700)
		if f, err := os.OpenFile(o.History, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			f.Close()
		}
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt: "opsbot> ", HistoryFile: o.History, HistoryLimit: 1000,
		InterruptPrompt: "^C", EOFPrompt: "exit", Stdout: o.Out,
	})
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	defer rl.Close()
	go func() { <-ctx.Done(); rl.Close() }()
	fmt.Fprintf(o.Out, "opsbot chat as %s. Type help for the commands, exit to leave.\n", who(o.User))
	for {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			continue
		}
		if err != nil || ctx.Err() != nil {
			return nil // EOF, Ctrl-D, or shutting down
		}
		if !answer(ctx, h, o, files, line) {
			return nil
		}
	}
}

// answer handles one line; false means the session is over.
func answer(ctx context.Context, h opsbot.Handler, o Options, files *attachments, line string) bool {
	line = strings.TrimSpace(line)
	switch strings.ToLower(line) {
	case "":
		return true
	case "exit", "quit", "bye":
		return false
	}
	req := &opsbot.Request{User: o.User, DM: true, Text: line, Transport: "terminal", Now: o.Now()}
	r := h.Handle(ctx, req)
	fmt.Fprint(o.Out, text.Reply(r))
	for _, f := range r.Files {
		fmt.Fprintln(o.Out, text.Visible(files.save(f))) // a chart's title holds the phrase
	}
	fmt.Fprintln(o.Out)
	return true
}

func who(u opsbot.User) string {
	if u.Name != "" && u.Name != u.ID {
		return u.Name + " (" + u.ID + ")"
	}
	return u.ID
}

// attachments saves a run's files into a folder of its own, made on the
// first file under parent (default os.TempDir()) with os.MkdirTemp (0700),
// each file created new (O_EXCL) 0600: in a shared folder such as /tmp
// nobody else can read them, nor plant a file or a link where they go.
// The folder stays after the run, for the user to open its files.
type attachments struct {
	parent string
	dir    string // "" until the first file
}

// save writes f and says where, or why it could not.
func (a *attachments) save(f opsbot.File) string {
	path, err := a.write(f)
	if err != nil {
		return fmt.Sprintf("(could not save %s: %v)", f.Name, err)
	}
	return fmt.Sprintf("%s saved to %s", firstOf(f.Title, f.Name), path)
}

func (a *attachments) write(f opsbot.File) (string, error) {
	if a.dir == "" {
		d, err := os.MkdirTemp(a.parent, "opsbot-")
		if err != nil {
			return "", fmt.Errorf("private folder: %w", err)
		}
		a.dir = d
	}
	name := filepath.Base(f.Name)
	if name == "." || name == ".." || name == string(filepath.Separator) {
		name = "attachment"
	}
	ext := filepath.Ext(name)
	for i := 1; ; i++ {
		path := filepath.Join(a.dir, name)
		if i > 1 { // the same name again in this run: requests-2.png
			path = filepath.Join(a.dir, fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i, ext))
		}
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = fh.Write(f.Data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		return path, err
	}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
