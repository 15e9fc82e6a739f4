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
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
)

func TestRunHTTP(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	c := newClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, SigningSecret: secret, APIURL: fake.APIURL(), Progress: -1, Clock: c, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.RunHTTP(ctx, l, "/hooks/slack", bot.New(bot.Options{Log: quiet()}, tables{})) }()
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
	app, err := slack.New(ctx, slack.Options{BotToken: slackfake.BotToken, AppToken: "xapp-revoked", APIURL: fake.APIURL(), Clock: newClock(), Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	err = app.RunSocket(ctx, bot.New(bot.Options{}, tables{}))
	if err == nil || !strings.Contains(err.Error(), "token refused: invalid_auth") {
		t.Errorf("RunSocket = %v, want the token refused", err)
	}
	if _, err := slack.New(ctx, slack.Options{BotToken: "xoxb-wrong", APIURL: fake.APIURL(), Clock: newClock(), Log: quiet()}); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("New with a wrong bot token = %v", err)
	}
}

// HTTPServer, which serve uses too, bounds every phase of a request and
// caps headers and bodies; the caps hold over a real connection.
func TestHTTPServerLimits(t *testing.T) {
	srv := slack.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		}
	}))
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout, "WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %s, want set and at most 2m", name, d)
		}
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %s > ReadTimeout %s", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want set and at most 64 KiB", srv.MaxHeaderBytes)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	url := "http://" + l.Addr().String() + "/any"
	status := func(body []byte, header string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("X-Padding", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(make([]byte, slack.MaxBody), ""); got != 200 {
		t.Errorf("a body of MaxBody: %d, want 200", got)
	}
	if got := status(make([]byte, slack.MaxBody+1), ""); got != 413 {
		t.Errorf("a body of MaxBody+1: %d, want 413", got)
	}
	if got := status(nil, strings.Repeat("x", 100<<10)); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB of headers: %d, want 431", got)
	}
}
