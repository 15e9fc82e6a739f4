// Package bot is the conversation core that every transport (Slack, the
// terminal chat) shares: it strips the trigger ("opsbot", a mention), routes
// a command by its first word to the Skill that answers it, checks the
// asker's role, audits the attempt and renders help. Transports turn their
// events into an opsbot.Request and render the opsbot.Reply.
package bot
