package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// HTTPHandler serves Slack's HTTP deliveries, for teams that prefer them to
// Socket Mode: POST …/events (Events API, url_verification included),
// …/commands (the /opsbot slash command) and …/actions (button presses).
// Mount it under any prefix (paths are matched by their last element).
// Every request must carry a valid v0 signature made with
// SLACK_SIGNING_SECRET at most 5 minutes old and not seen before; others
// get 401 and a log line. Bodies over MaxBody get 413. A signed delivery
// for another workspace, Grid org or app (see Options.TeamIDs) is logged
// and dropped: events get 200 all the same, since Slack retries any other
// status three times and turns off the event subscriptions of an app
// whose deliveries mostly fail (which would silence the right workspace
// too); slash commands and button presses, never retried, get 403.
// Requests are acknowledged at once and answered in the background through
// the Web API or the response URL.
func (a *App) HTTPHandler(ctx context.Context, h opsbot.Handler) http.Handler {
	v := &verifier{secret: []byte(a.opts.SigningSecret), clock: a.opts.Clock, seen: newDedupe(a.opts.Clock, 10*time.Minute)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := v.check(r.Header, body); err != nil {
			a.log.Warn("slack: refused unsigned or bad request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] {
		case "events":
			a.httpEvent(ctx, h, w, body)
		case "commands":
			a.httpCommand(ctx, h, w, body)
		case "actions":
			a.httpAction(ctx, h, w, body)
		default:
			http.NotFound(w, r)
		}
	})
}

// MaxBody is the largest request body the HTTP endpoints read; Slack's
// deliveries are a few KB.
const MaxBody = 1 << 20

func (a *App) httpEvent(ctx context.Context, h opsbot.Handler, w http.ResponseWriter, body []byte) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if c, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok && ev.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, c.Challenge)
		return
	}
	w.WriteHeader(http.StatusOK)
	if a.refused("http", "event", eventDelivery(ev)) {
		return
	}
	if in, ok := a.fromEventsAPI(ev); ok {
		a.dispatch(ctx, h, in)
	}
}

func (a *App) httpCommand(ctx context.Context, h opsbot.Handler, w http.ResponseWriter, body []byte) {
	f, err := url.ParseQuery(string(body))
	if err != nil || f.Get("user_id") == "" {
		http.Error(w, "bad slash command", http.StatusBadRequest)
		return
	}
	c := slack.SlashCommand{
		TeamID: f.Get("team_id"), EnterpriseID: f.Get("enterprise_id"), ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
	if a.refused("http", "slash command", slashDelivery(c)) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusOK) // the ack: the answer follows through the Web API or response_url
	a.dispatch(ctx, h, a.fromSlash(c))
}

func (a *App) httpAction(ctx context.Context, h opsbot.Handler, w http.ResponseWriter, body []byte) {
	f, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(f.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "bad interaction payload", http.StatusBadRequest)
		return
	}
	if a.refused("http", "interaction", actionDelivery(cb)) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusOK)
	if in, ok := a.fromAction(cb); ok {
		a.dispatch(ctx, h, in)
	}
}

// Reasons a request is refused; they go to the log, never to the caller.
var (
	errUnsigned = errors.New("no signature or timestamp")
	errExpired  = errors.New("timestamp more than 5 minutes away")
	errForged   = errors.New("signature does not match")
	errReplayed = errors.New("signature seen before (replay)")
	errNoSecret = errors.New("SLACK_SIGNING_SECRET is not set")
)

// verifier checks Slack's v0 request signatures.
type verifier struct {
	secret []byte
	clock  opsbot.Clock
	seen   *dedupe
}

func (v *verifier) check(h http.Header, body []byte) error {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	switch {
	case len(v.secret) == 0:
		return errNoSecret
	case ts == "" || sig == "":
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", ts, errUnsigned)
	}
	if age := v.clock.Now().Sub(time.Unix(sec, 0)); age > 5*time.Minute || age < -5*time.Minute {
		return errExpired
	}
	if !hmac.Equal([]byte(Sign(v.secret, ts, body)), []byte(sig)) {
		return errForged
	}
	if !v.seen.first("sig:" + sig) {
		return errReplayed
	}
	return nil
}

// Sign is Slack's v0 signature of a request body: "v0=" and the hex
// HMAC-SHA256 of "v0:TIMESTAMP:BODY" keyed with the signing secret.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}
