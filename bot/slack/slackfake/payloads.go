package slackfake

import (
	"encoding/json"
	"net/url"
)

// Event is one Events API event_callback body, as Slack sends it over
// Socket Mode (the envelope payload) and over HTTP (the request body).
func Event(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "verification-token", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"authorizations": []map[string]any{{"team_id": TeamID, "user_id": BotID, "is_bot": true}},
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
		"token": "verification-token", "team_id": TeamID, "team_domain": "acme", "channel_id": channel,
		"channel_name": "ops", "user_id": user, "user_name": "someone", "command": "/opsbot", "text": text,
		"api_app_id": AppID, "response_url": s.ResponseURL(trigger), "trigger_id": trigger,
	}
}

// Press is a block_actions payload: user pressed the button (actionID,
// value) under message ts in channel.
func (s *Server) Press(user, channel, ts, actionID, value, trigger string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": trigger, "api_app_id": AppID,
		"user":         map[string]any{"id": user, "username": "someone", "team_id": TeamID},
		"team":         map[string]any{"id": TeamID, "domain": "acme"},
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

// Retag makes a payload built here name another workspace, Grid org or app
// where team, enterprise or app is not empty, in each kind's own fields:
// team_id, enterprise_id and api_app_id of events and slash commands (JSON
// or form), team.id, enterprise.id and api_app_id of interaction payloads
// (JSON, or the payload field of a form).
func Retag(body []byte, team, enterprise, app string) []byte {
	if len(body) > 0 && body[0] == '{' {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			panic("slackfake: retag: " + err.Error())
		}
		retagJSON(m, team, enterprise, app)
		b, _ := json.Marshal(m)
		return b
	}
	f, err := url.ParseQuery(string(body))
	if err != nil {
		panic("slackfake: retag: " + err.Error())
	}
	if p := f.Get("payload"); p != "" {
		f.Set("payload", string(Retag([]byte(p), team, enterprise, app)))
		return []byte(f.Encode())
	}
	for k, v := range map[string]string{"team_id": team, "enterprise_id": enterprise, "api_app_id": app} {
		if v != "" {
			f.Set(k, v)
		}
	}
	return []byte(f.Encode())
}

func retagJSON(m map[string]any, team, enterprise, app string) {
	_, interaction := m["team"]
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("api_app_id", app)
	if !interaction {
		set("team_id", team)
		set("enterprise_id", enterprise)
		return
	}
	if team != "" {
		m["team"] = map[string]any{"id": team, "domain": "other"}
	}
	if enterprise != "" {
		m["enterprise"] = map[string]any{"id": enterprise, "name": "Other Org"}
	}
}
