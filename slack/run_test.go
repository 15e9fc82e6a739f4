package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/slack"
	"github.com/opsbot/opsbot/slack/slackfake"
)

func TestRunHTTP(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	c := newClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, SigningSecret: secret, APIURL: fake.APIURL(), Progress: -1, Clock: c, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.RunHTTP(ctx, l, "/hooks/slack", bot.New(bot.Options{Logger: quiet()}, tables{})) }()
	body := slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo over http", "1.1", ""))
	ts := fmt.Sprint(c.Now().Unix())
	req, _ := http.NewRequest(http.MethodPost, "http://"+l.Addr().String()+"/hooks/slack/events", bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign([]byte(secret), ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel() // RunHTTP returns once the answer under way is posted
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := fake.Calls("chat.postMessage"); len(p) != 1 || p[0].Form.Get("text") != "echo over http (U0BOB0001 bob)" {
		t.Errorf("posts: %v", p)
	}
}

// A refused app token ends RunSocket with an error instead of retrying
// for ever.
func TestRunSocketRefusedToken(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: "xapp-revoked", APIURL: fake.APIURL(), Clock: newClock(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	err = app.RunSocket(ctx, bot.New(bot.Options{}, tables{}))
	if err == nil || !strings.Contains(err.Error(), "token refused: invalid_auth") {
		t.Errorf("RunSocket = %v, want the token refused", err)
	}
	if _, err := slack.New(ctx, slack.Options{BotToken: "xoxb-wrong", APIURL: fake.APIURL(), Clock: newClock(), Logger: quiet()}); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("New with a wrong bot token = %v", err)
	}
}
