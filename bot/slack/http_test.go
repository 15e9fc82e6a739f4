package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

type httpRig struct {
	fake    *slackfake.Server
	app     *slack.App
	srv     *httptest.Server
	clock   *clock
	handled *handled // what reached the router
	ctx     context.Context
}

// newHTTPRig starts a fake Slack and the HTTP endpoints on it; edit, when
// not nil, sets the fake and the options up before slack.New.
func newHTTPRig(t *testing.T, edit func(*slackfake.Server, *slack.Options)) *httpRig {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	c := newClock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	o := slack.Options{BotToken: slackfake.BotToken, SigningSecret: secret, APIURL: fake.APIURL(), Progress: -1, Clock: c, Log: quiet()}
	if edit != nil {
		edit(fake, &o)
	}
	app, err := slack.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	h := &handled{Handler: bot.New(bot.Options{BotUserID: app.BotUserID(), Log: quiet()}, tables{})}
	mux := http.NewServeMux()
	mux.Handle("/slack/", app.HTTPHandler(ctx, h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &httpRig{fake: fake, app: app, srv: srv, clock: c, handled: h, ctx: ctx}
}

// send posts body to path signed with key at the given time.
func (r *httpRig) send(t *testing.T, path, ctype string, body []byte, key string, at time.Time) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if key != "" {
		ts := fmt.Sprint(at.Unix())
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", slack.Sign([]byte(key), ts, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignedRequests(t *testing.T) {
	r := newHTTPRig(t, nil)
	now := r.clock.Now()
	ev := func(id, text string) []byte {
		return slackfake.Event(id, slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo "+text, "8.00000"+id[len(id)-1:], ""))
	}
	const js = "application/json"
	cases := []struct {
		name string
		body []byte
		key  string
		at   time.Time
		want int
	}{
		{"valid", ev("Ev1", "valid"), secret, now, 200},
		{"expired", ev("Ev2", "expired"), secret, now.Add(-5*time.Minute - time.Second), 401},
		{"future", ev("Ev3", "future"), secret, now.Add(6 * time.Minute), 401},
		{"forged", ev("Ev4", "forged"), "not-the-secret", now, 401},
		{"unsigned", ev("Ev5", "unsigned"), "", now, 401},
		{"replayed", ev("Ev1", "valid"), secret, now, 401},
		{"four minutes old", ev("Ev6", "late"), secret, now.Add(-4 * time.Minute), 200},
	}
	for _, c := range cases {
		if code, _ := r.send(t, "/slack/events", js, c.body, c.key, c.at); code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, code, c.want)
		}
	}
	// A body changed after signing is a forgery too.
	body := ev("Ev7", "tampered")
	ts := fmt.Sprint(now.Unix())
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/slack/events", bytes.NewReader(bytes.Replace(body, []byte("tampered"), []byte("tempered"), 1)))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign([]byte(secret), ts, body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("tampered body: %v %v", resp.StatusCode, err)
	}
	r.app.Wait()
	var texts []string
	for _, p := range r.fake.Calls("chat.postMessage") {
		texts = append(texts, p.Form.Get("text"))
	}
	if strings.Join(texts, "|") != "echo valid (U0BOB0001 bob)|echo late (U0BOB0001 bob)" && strings.Join(texts, "|") != "echo late (U0BOB0001 bob)|echo valid (U0BOB0001 bob)" {
		t.Errorf("answered %q, want only the two valid requests", texts)
	}
}

func TestURLVerification(t *testing.T) {
	r := newHTTPRig(t, nil)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	code, got := r.send(t, "/slack/events", "application/json", body, secret, r.clock.Now())
	if code != 200 || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge: %d %q", code, got)
	}
}

func TestHTTPSlashCommandAndButton(t *testing.T) {
	r := newHTTPRig(t, nil)
	form := "application/x-www-form-urlencoded"
	if code, body := r.send(t, "/slack/commands", form, r.fake.SlashForm("U0BOB0001", "C0OPS0001", "rows 2", "trig1"), secret, r.clock.Now()); code != 200 || body != "" {
		t.Fatalf("slash ack: %d %q", code, body)
	}
	if code, _ := r.send(t, "/slack/commands", form, r.fake.SlashForm("U0BOB0001", "C0OPS0001", "nonsense", "trig2"), secret, r.clock.Now()); code != 200 {
		t.Fatalf("slash ack: %d", code)
	}
	press := "payload=" + urlQuery(r.fake.Press("U0ALICE01", "C0OPS0001", "9.000001", "opsbot_0", "echo pressed", "trig3"))
	if code, _ := r.send(t, "/slack/actions", form, []byte(press), secret, r.clock.Now()); code != 200 {
		t.Fatalf("action ack: %d", code)
	}
	r.app.Wait()
	posts := r.fake.Calls("chat.postMessage")
	if len(posts) != 2 {
		t.Fatalf("posts: %d", len(posts))
	}
	byText := map[string]string{}
	for _, p := range posts {
		byText[p.Form.Get("text")] = p.Form.Get("channel") + " " + p.Form.Get("thread_ts")
	}
	if byText["Top 2 by ip"] != "C0OPS0001 " || byText["echo pressed (U0ALICE01 alice)"] != "C0OPS0001 9.000001" {
		t.Errorf("answers: %v", byText)
	}
	resp := r.fake.Calls("response")
	if len(resp) != 1 || !strings.HasSuffix(resp[0].Form.Get("url"), "/trig2") {
		t.Fatalf("response_url calls: %v", resp)
	}
	var m map[string]any
	_ = json.Unmarshal(resp[0].JSON, &m)
	if m["response_type"] != "ephemeral" || !strings.HasPrefix(fmt.Sprint(m["text"]), `unknown command "nonsense"`) {
		t.Errorf("ephemeral answer: %s", resp[0].JSON)
	}
}

func urlQuery(b []byte) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "=", "%3D", " ", "+").Replace(string(b))
}
