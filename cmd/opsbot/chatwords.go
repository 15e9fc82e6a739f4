package main

import (
	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot/auditlog"
	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/schedules/rules"
)

// chatWords are the command words the chat answers besides the query
// phrases (ban, sql, silence, audit, mfa …), for `ask` to name them as chat
// commands. Each skill's command list is constant and needs no wiring.
func chatWords() []string {
	var words []string
	for _, s := range []opsbot.Skill{new(actions.Skill), new(actions.SQL), new(actions.Redirects), new(rules.Silences), new(auditlog.Skill), new(infra.Skill)} {
		for _, c := range s.Commands() {
			words = append(words, c.Name)
		}
	}
	return words
}
