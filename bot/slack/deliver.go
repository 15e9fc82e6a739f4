package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
)

// origin is where a request came from, hence where its reply goes.
type origin struct {
	channel     string
	thread      string // answer in this thread; "" answers at top level
	user        string // the asker, for ephemeral replies
	question    string // ts of the asker's message, for progress reactions
	responseURL string // slash commands and buttons
}

// deliver posts a reply; it returns the ts of its main message ("" for
// ephemeral replies).
func (a *App) deliver(ctx context.Context, o origin, r *opsbot.Reply) (string, error) {
	p := render(r, a.limits)
	if r.Ephemeral {
		return "", a.ephemeral(ctx, o, p)
	}
	ts, err := a.postMsg(ctx, o.channel, o.thread, p.Main)
	if err != nil && o.responseURL != "" && cannotPost(err) {
		// A slash command from a channel the bot is not in: the response
		// URL still works (without a thread).
		return "", a.viaResponseURL(ctx, o.responseURL, "in_channel", append([]message{p.Main}, p.Thread...))
	}
	if err != nil {
		return "", err
	}
	thread := o.thread
	if thread == "" {
		thread = ts
	}
	for _, m := range p.Thread {
		if _, err := a.postMsg(ctx, o.channel, thread, m); err != nil {
			return ts, err
		}
	}
	for _, f := range r.Files {
		if err := a.upload(ctx, o.channel, thread, f); err != nil {
			return ts, err
		}
	}
	if p.CSV != nil {
		return ts, a.upload(ctx, o.channel, thread, *p.CSV)
	}
	return ts, nil
}

func cannotPost(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found")
}

// ephemeral shows messages to the asker only.
func (a *App) ephemeral(ctx context.Context, o origin, p plan) error {
	msgs := append([]message{p.Main}, p.Thread...)
	if o.responseURL != "" {
		return a.viaResponseURL(ctx, o.responseURL, "ephemeral", msgs)
	}
	for _, m := range msgs {
		err := a.call.paced(ctx, o.channel, "chat.postEphemeral", func() error {
			opts := []slack.MsgOption{slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionText(m.Text, false)}
			if o.thread != "" {
				opts = append(opts, slack.MsgOptionTS(o.thread))
			}
			_, err := a.api.PostEphemeralContext(ctx, o.channel, o.user, opts...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// postMsg posts one message in channel's paced queue.
func (a *App) postMsg(ctx context.Context, channel, thread string, m message) (ts string, err error) {
	err = a.call.paced(ctx, channel, "chat.postMessage", func() error {
		opts := []slack.MsgOption{slack.MsgOptionBlocks(m.Blocks...), slack.MsgOptionText(m.Text, false)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		_, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// upload shares a file through the v2 flow: files.getUploadURLExternal,
// the upload itself, files.completeUploadExternal.
func (a *App) upload(ctx context.Context, channel, thread string, f opsbot.File) error {
	return a.call.paced(ctx, channel, "files upload", func() error {
		_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(f.Data), FileSize: len(f.Data), Filename: f.Name,
			Title: firstOf(f.Title, f.Name), Channel: channel, ThreadTimestamp: thread,
		})
		return err
	})
}

// viaResponseURL answers a slash command or button press through its
// response URL (up to 5 messages in 30 minutes, per Slack).
func (a *App) viaResponseURL(ctx context.Context, url, kind string, msgs []message) error {
	for _, m := range msgs {
		body, err := json.Marshal(map[string]any{"response_type": kind, "text": m.Text, "blocks": m.Blocks, "replace_original": false})
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		if err := a.call.do(ctx, "response_url", func() error { return a.postJSON(ctx, url, body) }); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) postJSON(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &slack.RateLimitedError{RetryAfter: time.Duration(s) * time.Second}
	case resp.StatusCode != http.StatusOK:
		return slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	return nil
}
