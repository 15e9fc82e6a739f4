package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/terminal"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/warehouse"
)

// runChat is `opsbot chat`: the Slack commands in a terminal, as the
// identity from config (slack.terminal.user, or local:$USER). Through a
// running serve, serve decides that identity from the OS user (socketUser).
func runChat(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("chat", "chat [--user ID] [--name NAME]")
	id := fs.String("user", g.cfg.Slack.Terminal.User, "identity for roles (your Slack user ID to hold your Slack role); not while serve owns the data folder")
	name := fs.String("name", g.cfg.Slack.Terminal.Name, "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, err := g.open(ctx)
	if errors.Is(err, warehouse.ErrLocked) { // serve or a chat owns the folder: chat through it
		return chatThrough(ctx, g, *id, err)
	}
	if err != nil {
		return err
	}
	defer w.Close()
	return chatOn(ctx, g, w, *id, *name)
}

// chatOn runs the terminal chat on an open warehouse with every skill
// serve has. While it runs, it owns the data folder, so it answers the
// others on it (ask, a second chat) through the folder's socket as serve
// does.
func chatOn(ctx context.Context, g *globals, w warehouse.Warehouse, id, name string) error {
	s, err := wire(ctx, g, w, auditPoster(ctx, g), nil)
	if err != nil {
		return err
	}
	stop, err := answerOthers(ctx, g, s)
	if err != nil {
		return err
	}
	defer stop()
	return terminal.Run(ctx, s.bot, chatOptions(g, id, name))
}

// answerOthers serves the data folder's socket (embedded engine only)
// until stop is called.
func answerOthers(ctx context.Context, g *globals, s *stack) (stop func(), err error) {
	if g.cfg.ClickHouse != "" {
		return func() {}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	wait, err := ipc.Start(ctx, g.cfg.Data, s.asker, s.bot, socketUser(g))
	if err != nil {
		cancel()
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "others on %s ask through this chat (%s)\n", g.cfg.Data, ipc.Path(g.cfg.Data))
	return func() {
		cancel()
		if err := wait(); err != nil {
			slog.Warn("chat: the folder's socket stopped", "err", err.Error())
		}
	}, nil
}

func chatOptions(g *globals, id, name string) terminal.Options {
	history := g.cfg.Slack.Terminal.History
	if history == "" {
		history = filepath.Join(g.cfg.Data, "chat_history")
	}
	return terminal.Options{User: localUser(id, name), History: history}
}

// chatThrough chats through serve's socket. serve names the asker from
// the kernel's word on this process's OS user (socketUser), so a --user
// other than the configured one cannot hold there.
func chatThrough(ctx context.Context, g *globals, id string, locked error) error {
	t := g.cfg.Slack.Terminal
	if id != t.User {
		return fmt.Errorf("--user %s: the opsbot serving %s runs your commands as %s, the identity of your OS user; drop --user, or stop serve to chat on the folder directly",
			id, g.cfg.Data, localUser(t.User, "").ID)
	}
	c, err := throughOwner(g, locked)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "chatting through the opsbot that owns %s\n", g.cfg.Data)
	return terminal.Run(ctx, c, chatOptions(g, t.User, t.Name))
}

// localUser is the chat identity: the configured ID, else local:$USER.
func localUser(id, name string) opsbot.User {
	u := ipc.Local(os.Getuid())
	if id != "" {
		u.ID = id
	}
	if name != "" {
		u.Name = name
	}
	return u
}

// socketUser names a peer of serve's socket as `opsbot chat` would name
// it in that OS user's session: serve's own OS user gets slack.terminal
// from serve's config, any other (root) its local identity. Only the
// kernel's word on the peer counts.
func socketUser(g *globals) ipc.Identity {
	return func(p ipc.Peer) opsbot.User {
		if p.UID == os.Getuid() {
			return localUser(g.cfg.Slack.Terminal.User, g.cfg.Slack.Terminal.Name)
		}
		return ipc.Local(p.UID)
	}
}

// auditPoster posts write actions to the audit room when a Slack bot token
// is set; without one the terminal chat still audits to the table.
func auditPoster(ctx context.Context, g *globals) opsbot.Poster {
	if os.Getenv("SLACK_BOT_TOKEN") == "" {
		return nil
	}
	app, err := slack.New(ctx, slackOptions(g.cfg.Slack).FromEnv(os.Getenv))
	if err != nil {
		slog.Warn("chat: no audit room posts", "err", fmt.Sprint(err))
		return nil
	}
	return app.Notifier()
}
