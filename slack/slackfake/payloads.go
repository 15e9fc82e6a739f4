package slackfake

import (
	"encoding/json"
	"net/url"
)

// Event is one Events API event_callback body, as Slack sends it over
// Socket Mode (the envelope payload) and over HTTP (the request body).
func Event(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "verification-token", "team_id": "T0TEAM001", "api_app_id": "A0APP0001",
		"type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"authorizations": []map[string]any{{"team_id": "T0TEAM001", "user_id": BotID, "is_bot": true}},
		"event":          event,
	})
	return b
}

// Mention is an app_mention event.
func Mention(user, channel, text, ts, thread string) map[string]any {
	e := map[string]any{"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	if thread != "" {
		e["thread_ts"] = thread
	}
	return e
}

// Message is a message event; channelType is "channel", "group" or "im".
func Message(user, channel, channelType, text, ts, thread string) map[string]any {
	e := map[string]any{"type": "message", "user": user, "text": text, "ts": ts, "channel": channel, "channel_type": channelType, "event_ts": ts, "client_msg_id": "cm-" + ts}
	if thread != "" {
		e["thread_ts"] = thread
	}
	return e
}

// Slash is a /opsbot slash command as Socket Mode delivers it (JSON).
func (s *Server) Slash(user, channel, text, trigger string) []byte {
	b, _ := json.Marshal(s.slashFields(user, channel, text, trigger))
	return b
}

// SlashForm is a /opsbot slash command as the HTTP endpoint gets it.
func (s *Server) SlashForm(user, channel, text, trigger string) []byte {
	f := url.Values{}
	for k, v := range s.slashFields(user, channel, text, trigger) {
		f.Set(k, v)
	}
	return []byte(f.Encode())
}

func (s *Server) slashFields(user, channel, text, trigger string) map[string]string {
	return map[string]string{
		"token": "verification-token", "team_id": "T0TEAM001", "team_domain": "acme", "channel_id": channel,
		"channel_name": "ops", "user_id": user, "user_name": "someone", "command": "/opsbot", "text": text,
		"api_app_id": "A0APP0001", "response_url": s.ResponseURL(trigger), "trigger_id": trigger,
	}
}

// Press is a block_actions payload: user pressed the button (actionID,
// value) under message ts in channel.
func (s *Server) Press(user, channel, ts, actionID, value, trigger string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": trigger, "api_app_id": "A0APP0001",
		"user":         map[string]any{"id": user, "username": "someone", "team_id": "T0TEAM001"},
		"team":         map[string]any{"id": "T0TEAM001", "domain": "acme"},
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
		"channel":      map[string]any{"id": channel, "name": "ops"},
		"message":      map[string]any{"type": "message", "ts": ts, "text": "confirm?"},
		"response_url": s.ResponseURL(trigger),
		"actions": []map[string]any{{
			"action_id": actionID, "block_id": "opsbot_actions", "type": "button", "value": value,
			"text": map[string]any{"type": "plain_text", "text": "Confirm"}, "action_ts": "1700000001.000100",
		}},
	})
	return b
}
