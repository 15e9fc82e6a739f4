package slackfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// method answers one Web API method like Slack does.
func (s *Server) method(w http.ResponseWriter, method string, f url.Values) {
	switch method {
	case "auth.test":
		s.record(Call{Method: method, Form: f})
		r := map[string]any{"ok": true, "user_id": BotID, "user": "opsbot", "team_id": TeamID, "bot_id": "B0BOT0001"}
		s.mu.Lock()
		if s.enterprise != "" {
			r["enterprise_id"] = s.enterprise
		}
		s.mu.Unlock()
		reply(w, r)
	case "bots.info":
		s.record(Call{Method: method, Form: f})
		if f.Get("bot") != "B0BOT0001" {
			reply(w, map[string]any{"ok": false, "error": "bot_not_found"})
			return
		}
		reply(w, map[string]any{"ok": true, "bot": map[string]any{"id": "B0BOT0001", "name": "opsbot", "app_id": AppID, "user_id": BotID}})
	case "apps.connections.open":
		s.record(Call{Method: method, Form: f})
		reply(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/link"})
	case "chat.postMessage", "chat.postEphemeral":
		s.post(w, method, f)
	case "chat.update":
		s.update(w, f)
	case "reactions.add", "reactions.remove":
		s.record(Call{Method: method, Form: f})
		reply(w, map[string]any{"ok": true})
	case "users.info":
		s.mu.Lock()
		name := s.users[f.Get("user")]
		s.mu.Unlock()
		s.record(Call{Method: method, Form: f})
		if name == "" {
			reply(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		reply(w, map[string]any{"ok": true, "user": userJSON(f.Get("user"), name)})
	case "users.lookupByEmail":
		s.record(Call{Method: method, Form: f})
		s.mu.Lock()
		id := s.byEmail(f.Get("email"))
		name := s.users[id]
		s.mu.Unlock()
		if name == "" {
			reply(w, map[string]any{"ok": false, "error": "users_not_found"})
			return
		}
		reply(w, map[string]any{"ok": true, "user": userJSON(id, name)})
	case "conversations.list":
		s.record(Call{Method: method, Form: f})
		s.mu.Lock()
		var chans []map[string]any
		for _, c := range s.channels {
			chans = append(chans, map[string]any{"id": c.ID, "name": c.Name, "is_channel": true})
		}
		s.mu.Unlock()
		reply(w, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": ""}})
	case "usergroups.list":
		s.record(Call{Method: method, Form: f})
		reply(w, map[string]any{"ok": true, "usergroups": []map[string]any{
			{"id": "S0OPERATE", "handle": "operators", "users": []string{"U0CAROL01"}},
			{"id": "S0READERS", "handle": "readers", "users": []string{"U0BOB0001", "U0ALICE01"}},
		}})
	case "files.getUploadURLExternal":
		s.mu.Lock()
		s.files++
		id := fmt.Sprintf("F%08d", s.files)
		s.mu.Unlock()
		s.record(Call{Method: method, Form: f})
		reply(w, map[string]any{"ok": true, "upload_url": s.uploads.URL + "/upload/" + id, "file_id": id})
	case "conversations.open":
		s.open(w, f)
	case "files.completeUploadExternal":
		s.record(Call{Method: method, Form: f})
		var files []map[string]any
		_ = json.Unmarshal([]byte(f.Get("files")), &files)
		reply(w, map[string]any{"ok": true, "files": files})
	default:
		reply(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// userJSON is a user object of users.info and users.lookupByEmail: the
// fake's users have the email NAME@example.com.
func userJSON(id, name string) map[string]any {
	return map[string]any{"id": id, "name": name, "real_name": strings.ToUpper(name[:1]) + name[1:],
		"profile": map[string]any{"display_name": name, "email": name + "@example.com"}}
}

// byEmail is the user ID of NAME@example.com.
func (s *Server) byEmail(email string) string {
	for id, name := range s.users {
		if strings.EqualFold(name+"@example.com", email) {
			return id
		}
	}
	return ""
}

// open answers conversations.open for one user: the bot's DM with them,
// D followed by the user ID without its U (D0BOB0001 for U0BOB0001).
func (s *Server) open(w http.ResponseWriter, f url.Values) {
	s.record(Call{Method: "conversations.open", Form: f})
	user := f.Get("users")
	s.mu.Lock()
	known, closed := s.users[user] != "", s.noDM[user]
	s.mu.Unlock()
	switch {
	case !known || strings.Contains(user, ","):
		reply(w, map[string]any{"ok": false, "error": "user_not_found"})
	case closed:
		reply(w, map[string]any{"ok": false, "error": "user_not_visible"})
	default:
		reply(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(user, "U")}})
	}
}

// post checks a message against Slack's limits and records it.
func (s *Server) post(w http.ResponseWriter, method string, f url.Values) {
	s.mu.Lock()
	outside := s.outside[f.Get("channel")]
	s.mu.Unlock()
	if outside {
		s.record(Call{Method: method + " rejected", Form: f})
		reply(w, map[string]any{"ok": false, "error": "not_in_channel"})
		return
	}
	if msg := checkBlocks(f.Get("blocks")); msg != "" {
		s.record(Call{Method: method + " rejected", Form: f})
		reply(w, map[string]any{"ok": false, "error": msg})
		return
	}
	s.mu.Lock()
	s.ts++
	ts := fmt.Sprintf("1700000000.%06d", s.ts)
	s.mu.Unlock()
	s.record(Call{Method: method, Form: f, TS: ts})
	if method == "chat.postEphemeral" {
		reply(w, map[string]any{"ok": true, "message_ts": ts})
		return
	}
	reply(w, map[string]any{"ok": true, "channel": f.Get("channel"), "ts": ts, "message": map[string]any{"text": f.Get("text"), "ts": ts}})
}

// update answers chat.update like Slack: the channel and ts of a message
// posted before (else message_not_found), within the block limits.
func (s *Server) update(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	known := false
	for _, c := range s.calls {
		known = known || (c.Method == "chat.postMessage" && c.TS == f.Get("ts") && c.Form.Get("channel") == f.Get("channel"))
	}
	s.mu.Unlock()
	msg := checkBlocks(f.Get("blocks"))
	if !known {
		msg = "message_not_found"
	}
	if msg != "" {
		s.record(Call{Method: "chat.update rejected", Form: f})
		reply(w, map[string]any{"ok": false, "error": msg})
		return
	}
	s.record(Call{Method: "chat.update", Form: f, TS: f.Get("ts")})
	reply(w, map[string]any{"ok": true, "channel": f.Get("channel"), "ts": f.Get("ts"), "text": f.Get("text")})
}

// checkBlocks applies Slack's block limits: 50 blocks, 3,000 characters per
// section text, and about 13k characters in all.
func checkBlocks(raw string) string {
	if raw == "" {
		return ""
	}
	var blocks []struct {
		Type     string                 `json:"type"`
		Text     *struct{ Text string } `json:"text"`
		Elements []struct {
			Text any `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return "invalid_blocks_format"
	}
	if len(blocks) > 50 {
		return "invalid_blocks"
	}
	total := 0
	for _, b := range blocks {
		if b.Text != nil {
			n := utf8.RuneCountInString(b.Text.Text)
			if b.Type == "section" && n > 3000 {
				return "invalid_blocks"
			}
			total += n
		}
		for _, e := range b.Elements {
			if t, ok := e.Text.(string); ok {
				total += utf8.RuneCountInString(t)
			}
		}
	}
	if total > BlocksTooLong {
		return "msg_blocks_too_long"
	}
	return ""
}
