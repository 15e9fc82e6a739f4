package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sync"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/slack"
	"github.com/opsbot/opsbot/terminal"
	"github.com/opsbot/opsbot/warehouse"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// runChat is `opsbot chat`: the Slack commands in a terminal, as the
// identity from config (slack.terminal.user, or local:$USER).
func runChat(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("chat", "chat [--user ID] [--name NAME]")
	id := fs.String("user", g.cfg.Slack.Terminal.User, "identity for roles (your Slack user ID to hold your Slack role)")
	name := fs.String("name", g.cfg.Slack.Terminal.Name, "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := detachStdin(); err != nil {
		return err
	}
	w, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	return chatOn(ctx, g, w, *id, *name)
}

// chatOn runs the terminal chat on an open warehouse with every skill
// serve has.
func chatOn(ctx context.Context, g *globals, w warehouse.Warehouse, id, name string) error {
	if err := detachStdin(); err != nil {
		return err
	}
	s, err := wire(ctx, g, w, auditPoster(ctx, g))
	if err != nil {
		return err
	}
	history := g.cfg.Slack.Terminal.History
	if history == "" {
		history = filepath.Join(g.cfg.Data, "chat_history")
	}
	return terminal.Run(ctx, s.bot, terminal.Options{User: localUser(id, name), History: history})
}

// detachStdin moves piped input out of the engine's way: os.Stdin becomes
// a copy of it for the chat, and file descriptor 0 becomes /dev/null. The
// embedded engine reads the process's stdin as data for INSERTs ("async
// inserts with both inlined and external data"), which fails the schema
// migration and would eat the questions. A terminal stays as it is.
func detachStdin() error {
	stdinOnce.Do(func() {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return
		}
		fd, err := unix.Dup(int(os.Stdin.Fd()))
		if err != nil {
			stdinErr = fmt.Errorf("chat: stdin: %w", err)
			return
		}
		null, err := os.Open(os.DevNull)
		if err != nil {
			stdinErr = fmt.Errorf("chat: %w", err)
			return
		}
		defer null.Close()
		if err := unix.Dup2(int(null.Fd()), 0); err != nil {
			stdinErr = fmt.Errorf("chat: stdin: %w", err)
			return
		}
		os.Stdin = os.NewFile(uintptr(fd), "/dev/stdin")
	})
	return stdinErr
}

var (
	stdinOnce sync.Once
	stdinErr  error
)

// localUser is the chat identity: the configured ID, else local:$USER.
func localUser(id, name string) opsbot.User {
	login := "someone"
	if u, err := user.Current(); err == nil {
		login = u.Username
	}
	if id == "" {
		id = "local:" + login
	}
	if name == "" {
		name = login
	}
	return opsbot.User{ID: id, Name: name}
}

// auditPoster posts write actions to the audit room when a Slack bot token
// is set; without one the terminal chat still audits to the table.
func auditPoster(ctx context.Context, g *globals) opsbot.Poster {
	if os.Getenv("SLACK_BOT_TOKEN") == "" {
		return nil
	}
	app, err := slack.New(ctx, slack.OptionsFrom(g.cfg.Slack).FromEnv(os.Getenv))
	if err != nil {
		slog.Warn("chat: no audit room posts", "err", fmt.Sprint(err))
		return nil
	}
	return app.Notifier()
}
