package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
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
	user        string // the asker, for ephemeral replies and files sent to their DM
	question    string // ts of the asker's message, for progress reactions
	responseURL string // slash commands and buttons
	text        string // what was asked, for saying how to get rows not attached
}

// deliver posts a reply; it returns the ts of its main message ("" for
// ephemeral replies and answers through a response URL). Its files and
// CSV go with it where Slack allows; the answer never claims one that
// was not sent (see filesNote).
func (a *App) deliver(ctx context.Context, o origin, r *opsbot.Reply) (string, error) {
	p := render(r, a.limits)
	if r.Ephemeral {
		return "", a.ephemeral(ctx, o, p.withNote(filesNote(p, r.Files, "", notWithEphemeral, o.text)))
	}
	ts, err := a.postMsg(ctx, o.channel, o.thread, p.Main)
	if err != nil && o.responseURL != "" && cannotPost(err) {
		return "", a.outside(ctx, o, p, r.Files)
	}
	if err != nil {
		return "", err
	}
	return ts, a.rest(ctx, o.channel, firstOf(o.thread, ts), p, r.Files)
}

// rest posts what follows a main message in thread: the continuations,
// the last one saying that the CSV is attached, then the files.
func (a *App) rest(ctx context.Context, channel, thread string, p plan, files []opsbot.File) error {
	p = p.withNote(p.csvNote("every row is in the attached CSV."))
	for _, m := range p.Thread {
		if _, err := a.postMsg(ctx, channel, thread, m); err != nil {
			return err
		}
	}
	for _, f := range attachments(p, files) {
		if err := a.upload(ctx, channel, thread, f); err != nil {
			return err
		}
	}
	return nil
}

// outside answers where the bot may not post (a slash command or a button
// in a private channel it is not in) through the response URL, which
// carries no files: those go to the asker's DM with the bot when Slack
// opens one, and the answer says where they went or how to get them.
func (a *App) outside(ctx context.Context, o origin, p plan, files []opsbot.File) error {
	note := ""
	if all := attachments(p, files); len(all) > 0 {
		note = filesNote(p, files, sentToDM, "", o.text)
		if err := a.toDM(ctx, o.user, all); err != nil {
			a.log.Warn("slack: could not send the files to the asker's DM", "user", o.user, "err", err)
			note = filesNote(p, files, "", notAttachedHere, o.text)
		}
	}
	return a.viaResponseURL(ctx, o.responseURL, "in_channel", p.withNote(note).messages())
}

// toDM sends files to user's DM with the bot: conversations.open, then
// each upload shared to the DM's channel_id.
func (a *App) toDM(ctx context.Context, user string, files []opsbot.File) error {
	var ch *slack.Channel
	err := a.call.do(ctx, "conversations.open", func() (err error) {
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := a.upload(ctx, ch.ID, "", f); err != nil {
			return err
		}
	}
	return nil
}

// attachments are the files a reply sends: its own, then the CSV.
func attachments(p plan, files []opsbot.File) []opsbot.File {
	if p.CSV == nil {
		return files
	}
	return append(append([]opsbot.File(nil), files...), *p.CSV)
}

func cannotPost(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found")
}

// ephemeral shows messages to the asker only.
func (a *App) ephemeral(ctx context.Context, o origin, p plan) error {
	msgs := p.messages()
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

// upload shares a file to channel, in thread when set, through the files
// upload v2 flow: files.getUploadURLExternal at the API URL, the bytes to
// the upload URL it returns, used as given (another host, which needs no
// token and gets none), then files.completeUploadExternal at the API URL.
func (a *App) upload(ctx context.Context, channel, thread string, f opsbot.File) error {
	var u *slack.GetUploadURLExternalResponse
	err := a.call.do(ctx, "files.getUploadURLExternal", func() (err error) {
		u, err = a.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: f.Name, FileSize: len(f.Data)})
		return err
	})
	if err != nil {
		return err
	}
	if err := a.call.do(ctx, "files upload", func() error { return a.sendFile(ctx, u.UploadURL, f) }); err != nil {
		return err
	}
	return a.call.paced(ctx, channel, "files.completeUploadExternal", func() error {
		_, err := a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: u.FileID, Title: firstOf(f.Title, f.Name)}}, Channel: channel, ThreadTimestamp: thread,
		})
		return err
	})
}

// sendFile posts f's bytes to an upload URL as a multipart form field
// "file", as Slack's files.getUploadURLExternal documentation shows.
func (a *App) sendFile(ctx context.Context, url string, f opsbot.File) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", f.Name)
	if err != nil {
		return err
	}
	_, _ = part.Write(f.Data) // writes to a bytes.Buffer do not fail
	if err := mw.Close(); err != nil {
		return err
	}
	return a.postBody(ctx, url, mw.FormDataContentType(), body.Bytes())
}

// viaResponseURL answers a slash command or button press through its
// response URL (up to 5 messages in 30 minutes, per Slack).
func (a *App) viaResponseURL(ctx context.Context, url, kind string, msgs []message) error {
	for _, m := range msgs {
		body, err := json.Marshal(map[string]any{"response_type": kind, "text": m.Text, "blocks": m.Blocks, "replace_original": false})
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		if err := a.call.do(ctx, "response_url", func() error { return a.postBody(ctx, url, "application/json", body) }); err != nil {
			return err
		}
	}
	return nil
}

// postBody posts body to url (a response URL, an upload URL) with no
// token, and turns a 429 or another failure into slack-go's errors for
// the retry loop.
func (a *App) postBody(ctx context.Context, url, contentType string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
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
