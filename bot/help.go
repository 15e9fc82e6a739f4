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

// Help answers "help" and "help COMMAND", generated from the skills' Commands.
func (b *Bot) Help(text string) *opsbot.Reply {
	fields := strings.Fields(text)
	if len(fields) > 1 {
		return b.helpOne(strings.ToLower(strings.TrimPrefix(fields[1], "`")))
	}
	var sb strings.Builder
	for _, c := range b.Commands() {
		fmt.Fprintf(&sb, "`%s` — %s%s\n", usage(c), c.Summary, roleTag(c))
	}
	return &opsbot.Reply{
		Title:   "opsbot commands",
		Text:    strings.TrimRight(sb.String(), "\n"),
		Context: "Type `help COMMAND` for examples. The `opsbot` prefix is optional in DMs and the terminal.",
	}
}

func (b *Bot) helpOne(name string) *opsbot.Reply {
	rt, ok := b.commands[name]
	if !ok {
		msg := fmt.Sprintf("There is no command %q.", name)
		if s := b.suggest(name); s != "" {
			msg += fmt.Sprintf(" Did you mean %q?", s)
		}
		return &opsbot.Reply{Text: msg + " Type `help` for the list.", Ephemeral: true}
	}
	c := rt.cmd
	var sb strings.Builder
	fmt.Fprintf(&sb, "Usage: `%s`\n%s\n", usage(c), c.Summary)
	fmt.Fprintf(&sb, "Needs the %s role", c.Role)
	if c.Write {
		sb.WriteString("; a write command: it changes something outside opsbot and asks for confirmation")
	}
	sb.WriteString(".")
	if len(c.Examples) > 0 {
		sb.WriteString("\nExamples:")
		for _, e := range c.Examples {
			fmt.Fprintf(&sb, "\n• `%s`", e)
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

func roleTag(c opsbot.Command) string {
	switch {
	case c.Write:
		return fmt.Sprintf(" _(%s, write)_", c.Role)
	case c.Role > opsbot.RoleReader:
		return fmt.Sprintf(" _(%s)_", c.Role)
	}
	return ""
}
