package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/opsbot/opsbot/internal/text"

	"github.com/opsbot/opsbot"
)

// Authorizer tells what a person may do where.
//
// Contract: Role is called for every command, with the asker's user ID (the
// identity; Name is display only) and the channel ID ("" in the terminal
// chat). It never fails: a lookup problem is RoleNone. Safe for concurrent use.
type Authorizer interface {
	Role(ctx context.Context, u opsbot.User, channel string) opsbot.Role
}

// Granter is an Authorizer that can say how u would be given role: the
// config lines, shown after a refusal.
type Granter interface {
	Grant(u opsbot.User, role opsbot.Role) string
}

// Auditor records every command, allowed or refused, with what it did.
//
// Contract: Record is called once per command after it ran (or was
// refused). An error is logged by the router and never changes the reply.
// Safe for concurrent use.
type Auditor interface {
	Record(ctx context.Context, e opsbot.AuditEntry) error
}

// Suggester proposes the phrase the asker probably meant ("top 4xx by ip")
// for text the router could not route, or "" when it has no idea.
type Suggester interface {
	Suggest(text string) string
}

// Rewriter is an optional interface a opsbot.Skill may implement to claim text whose
// first word is not a command, e.g. a bare TOTP code sent in a DM. Rewrite
// returns the command text to route instead ("confirm 123456") and true, or
// false to leave the text alone. It must be cheap and side-effect free.
type Rewriter interface {
	Rewrite(req *opsbot.Request, text string) (string, bool)
}

// Options configure a Bot. Every field is optional.
type Options struct {
	// Authorizer gives the asker's role; nil: everyone is a Reader.
	Authorizer Authorizer
	// Auditor records every command; nil: nothing is recorded.
	Auditor Auditor
	// Suggester proposes a phrase for unknown commands; nil: the router's
	// own edit distance over command names and examples.
	Suggester Suggester
	// Place refuses commands asked where opsbot must not answer (a channel
	// outside the configured allow-list). A non-nil error is the refusal
	// shown to the asker, and audited.
	Place func(ctx context.Context, req *opsbot.Request) error
	// BotUserID is the bot's own user ID, for stripping "<@ID>" mentions;
	// "" strips any leading mention.
	BotUserID string
	// Log gets skill errors and panics; nil: slog.Default().
	Log *slog.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Bot routes chat commands to skills. It is safe for concurrent use.
type Bot struct {
	opts     Options
	skills   []opsbot.Skill
	commands map[string]route
	names    []string // sorted command names, for help and suggestions
}

type route struct {
	cmd   opsbot.Command
	skill opsbot.Skill
}

// New builds a router over skills. The first skill to declare a command
// name owns it; "help" is built in and can't be taken.
func New(opts Options, skills ...opsbot.Skill) *Bot {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Bot{opts: opts, skills: skills, commands: map[string]route{}}
	b.commands["help"] = route{cmd: helpCommand}
	for _, s := range skills {
		for _, c := range s.Commands() {
			name := strings.ToLower(c.Name)
			if _, taken := b.commands[name]; taken {
				opts.Log.Warn("bot: command declared twice, first one wins", "command", name)
				continue
			}
			b.commands[name] = route{cmd: c, skill: s}
		}
	}
	for n := range b.commands {
		b.names = append(b.names, n)
	}
	sort.Strings(b.names)
	return b
}

// Commands lists every command the bot answers, help first then by name.
func (b *Bot) Commands() []opsbot.Command {
	out := make([]opsbot.Command, 0, len(b.names))
	out = append(out, helpCommand)
	for _, n := range b.names {
		if n != "help" {
			out = append(out, b.commands[n].cmd)
		}
	}
	return out
}

// Handle answers one request. It never returns nil: refusals, unknown
// commands, skill errors and panics all become Ephemeral replies. Every
// command is audited.
func (b *Bot) Handle(ctx context.Context, req *opsbot.Request) *opsbot.Reply {
	start := b.opts.Now()
	if req.Now.IsZero() {
		req.Now = start
	}
	text := Strip(req.Text, b.opts.BotUserID)
	ctx, note := withNote(ctx)
	r, entry := b.dispatch(ctx, req, text)
	r.Took = b.opts.Now().Sub(start)
	entry.Took = r.Took
	b.audit(ctx, req, text, entry, note)
	return r
}

// dispatch finds and runs the command; entry carries the audit outcome.
func (b *Bot) dispatch(ctx context.Context, req *opsbot.Request, text string) (*opsbot.Reply, opsbot.AuditEntry) {
	rt, text, ok := b.lookup(req, text)
	if !ok {
		return b.unknown(text), opsbot.AuditEntry{Allowed: false, Result: "refused: unknown command"}
	}
	if b.opts.Place != nil {
		if err := b.opts.Place(ctx, req); err != nil {
			return refusal(opsbot.ErrorText(err)), opsbot.AuditEntry{Result: "refused: " + opsbot.ErrorText(err)}
		}
	}
	if role := b.role(ctx, req); role < rt.cmd.Role {
		msg := fmt.Sprintf("`%s` needs the %s role; you are %s.", rt.cmd.Name, rt.cmd.Role, article(role))
		if g, ok := b.opts.Authorizer.(Granter); ok {
			msg += " " + g.Grant(req.User, rt.cmd.Role)
		}
		return refusal(msg), opsbot.AuditEntry{Result: fmt.Sprintf("refused: needs %s, has %s", rt.cmd.Role, role)}
	}
	in := *req
	in.Text = text
	if rt.skill == nil {
		return b.help(text, markupFor(req.Transport)), opsbot.AuditEntry{Allowed: true, Result: "ok"}
	}
	r, e := b.run(ctx, rt, &in)
	e.Action = text
	return r, e
}

// lookup routes text by its first word, letting Rewriter skills claim
// text that is not a command.
func (b *Bot) lookup(req *opsbot.Request, text string) (route, string, bool) {
	if text == "" {
		text = "help"
	}
	if rt, ok := b.commands[strings.ToLower(firstWord(text))]; ok {
		return rt, text, true
	}
	for _, s := range b.skills {
		rw, ok := s.(Rewriter)
		if !ok {
			continue
		}
		if t, ok := rw.Rewrite(req, text); ok {
			if rt, ok := b.commands[strings.ToLower(firstWord(t))]; ok {
				return rt, t, true
			}
		}
	}
	return route{}, text, false
}

func (b *Bot) role(ctx context.Context, req *opsbot.Request) opsbot.Role {
	if b.opts.Authorizer == nil {
		return opsbot.RoleReader
	}
	return b.opts.Authorizer.Role(ctx, req.User, req.Channel)
}

// run calls the skill, turning errors and panics into short ephemeral replies.
func (b *Bot) run(ctx context.Context, rt route, req *opsbot.Request) (r *opsbot.Reply, e opsbot.AuditEntry) {
	defer func() {
		if p := recover(); p != nil {
			b.opts.Log.Error("bot: skill panicked", "command", rt.cmd.Name, "panic", p, "stack", string(debug.Stack()))
			r = failure(rt.cmd.Name, "it crashed (a bug; it has been logged)")
			e = opsbot.AuditEntry{Allowed: true, Result: fmt.Sprintf("error: panic: %v", p)}
		}
	}()
	r, err := rt.skill.Handle(ctx, req)
	if err != nil {
		b.opts.Log.Error("bot: skill failed", "command", rt.cmd.Name, "user", req.User.ID, "err", err)
		return failure(rt.cmd.Name, shortErr(err)), opsbot.AuditEntry{Allowed: true, Result: "error: " + err.Error()}
	}
	if r == nil {
		b.opts.Log.Error("bot: skill returned no reply", "command", rt.cmd.Name)
		return failure(rt.cmd.Name, "it gave no answer (a bug; it has been logged)"), opsbot.AuditEntry{Allowed: true, Result: "error: no reply"}
	}
	if r.Ephemeral {
		return r, opsbot.AuditEntry{Allowed: true, Result: "answered: " + oneLine(firstNonEmpty(r.Title, r.Text))}
	}
	return r, opsbot.AuditEntry{Allowed: true, Result: "ok"}
}

func (b *Bot) audit(ctx context.Context, req *opsbot.Request, text string, e opsbot.AuditEntry, n *Note) {
	if b.opts.Auditor == nil {
		return
	}
	e.Time, e.User, e.Channel, e.Transport, e.Text = req.Now, req.User, req.Channel, req.Transport, text
	if e.Action == "" {
		e.Action = text
	}
	n.apply(&e)
	if err := b.opts.Auditor.Record(context.WithoutCancel(ctx), e); err != nil {
		b.opts.Log.Error("bot: audit record failed", "user", req.User.ID, "err", err)
	}
}

func refusal(msg string) *opsbot.Reply {
	return &opsbot.Reply{Text: msg, Ephemeral: true}
}

func failure(cmd, why string) *opsbot.Reply {
	return &opsbot.Reply{Text: fmt.Sprintf("Sorry, `%s` failed: %s", cmd, why), Ephemeral: true}
}

// shortErr keeps an error message to one readable line.
func shortErr(err error) string {
	return text.Cut(oneLine(opsbot.ErrorText(err)), 200)
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func article(r opsbot.Role) string {
	switch r {
	case opsbot.RoleNone:
		return "not known to opsbot (ask an operator to add you)"
	case opsbot.RoleAnalyst, opsbot.RoleOperator:
		return "an " + r.String()
	}
	return "a " + r.String()
}
