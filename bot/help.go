package bot

import (
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
)

var helpCommand = opsbot.Command{
	Name:     "help",
	Usage:    "help [COMMAND]",
	Summary:  "list the commands, or show one command's usage and examples",
	Role:     opsbot.RoleNone, // anyone may learn what opsbot does, and what role it takes
	Examples: []string{"help", "help top"},
}

// markup is how help marks commands and roles on one surface.
type markup struct {
	code func(string) string // a command or usage
	role func(string) string // the role tag after a summary
}

var (
	// mrkdwn is Slack's: `code`, _(role)_.
	mrkdwn = markup{code: func(s string) string { return "`" + s + "`" },
		role: func(s string) string { return " _(" + s + ")_" }}
	// plain is for terminals (opsbot chat, ask, the socket): no markup.
	plain = markup{code: func(s string) string { return s },
		role: func(s string) string { return " (" + s + ")" }}
)

// markupFor is the markup of a transport: Slack mrkdwn for "slack", plain
// text for every other.
func markupFor(transport string) markup {
	if transport == "slack" {
		return mrkdwn
	}
	return plain
}

// Help answers "help" and "help COMMAND" in plain text, as terminals show
// it, generated from the skills' Commands. The router answers Slack in
// mrkdwn.
func (b *Bot) Help(text string) *opsbot.Reply { return b.help(text, plain) }

func (b *Bot) help(text string, m markup) *opsbot.Reply {
	fields := strings.Fields(text)
	if len(fields) > 1 {
		return b.helpOne(strings.ToLower(strings.Trim(fields[1], "`")), m)
	}
	var sb strings.Builder
	for _, c := range b.Commands() {
		fmt.Fprintf(&sb, "%s — %s%s\n", m.code(usage(c)), c.Summary, roleTag(c, m))
	}
	return &opsbot.Reply{
		Title: "opsbot commands",
		Text:  strings.TrimRight(sb.String(), "\n"),
		Context: fmt.Sprintf("Type %s for examples. The %s prefix is optional in DMs and the terminal.",
			m.code("help COMMAND"), m.code("opsbot")),
	}
}

func (b *Bot) helpOne(name string, m markup) *opsbot.Reply {
	rt, ok := b.commands[name]
	if !ok {
		msg := fmt.Sprintf("There is no command %q.", name)
		if s := b.suggest(name); s != "" {
			msg += fmt.Sprintf(" Did you mean %q?", s)
		}
		return &opsbot.Reply{Text: msg + " Type " + m.code("help") + " for the list.", Ephemeral: true}
	}
	c := rt.cmd
	var sb strings.Builder
	fmt.Fprintf(&sb, "Usage: %s\n%s\n", m.code(usage(c)), c.Summary)
	fmt.Fprintf(&sb, "Needs the %s role", c.Role)
	if c.Write {
		sb.WriteString("; a write command: it changes something outside opsbot and asks for confirmation")
	}
	sb.WriteString(".")
	if len(c.Examples) > 0 {
		sb.WriteString("\nExamples:")
		for _, e := range c.Examples {
			fmt.Fprintf(&sb, "\n• %s", m.code(e))
		}
	}
	return &opsbot.Reply{Title: "help " + c.Name, Text: sb.String()}
}

func usage(c opsbot.Command) string {
	if c.Usage != "" {
		return c.Usage
	}
	return c.Name
}

func roleTag(c opsbot.Command, m markup) string {
	switch {
	case c.Write:
		return m.role(c.Role.String() + ", write")
	case c.Role > opsbot.RoleReader:
		return m.role(c.Role.String())
	}
	return ""
}
