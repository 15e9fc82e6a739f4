package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocket connects with Socket Mode and answers through h until ctx
// ends. Every envelope is acknowledged at once, before it is answered (Slack
// redelivers after 3 seconds otherwise); answers go through the Web API,
// never the envelope response (Slack drops those of 20 KB or more). It
// reconnects on disconnect envelopes and network loss, with backoff, and
// answers a redelivered event once. It returns nil when ctx ends, after the
// answers under way are posted, and an error only when the tokens are refused.
func (a *App) RunSocket(ctx context.Context, h opsbot.Handler) error {
	if a.opts.AppToken == "" {
		return errors.New("slack: SLACK_APP_TOKEN is not set (Socket Mode needs an app-level token with connections:write)")
	}
	sm := socketmode.New(a.api)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.consume(cctx, sm, h)
	}()
	err := a.connectLoop(ctx, sm)
	stop()
	<-done
	a.wg.Wait()
	return err
}

// connectLoop runs the socketmode client, starting it again with backoff
// when it gives up on a connection.
func (a *App) connectLoop(ctx context.Context, sm *socketmode.Client) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.MaxElapsedTime = time.Second, 2*time.Minute, 0
	for {
		started := a.opts.Clock.Now()
		err := sm.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if retry, reason := connectRetry(err); !retry {
			return fmt.Errorf("slack socket mode: %w", reason)
		}
		if a.opts.Clock.Now().Sub(started) > 5*time.Minute {
			b.Reset() // it ran well for a while: start the backoff over
		}
		wait := b.NextBackOff()
		a.log.Warn("slack: socket mode stopped, reconnecting", "err", err, "wait", wait)
		if opsbot.Sleep(ctx, a.opts.Clock, wait) != nil {
			return nil
		}
	}
}

// connectRetry says whether reconnecting can help: refused tokens can't.
func connectRetry(err error) (retry bool, reason error) {
	var sc slack.StatusCodeError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &sc) && sc.Code == http.StatusNotFound:
		return false, err
	}
	switch err.Error() {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type":
		return false, fmt.Errorf("token refused: %w", err)
	}
	return true, err
}

// consume acks and dispatches the socketmode client's events.
func (a *App) consume(ctx context.Context, sm *socketmode.Client, h opsbot.Handler) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-sm.Events:
			a.onSocketEvent(ctx, sm, h, evt)
		}
	}
}

// onSocketEvent acks an envelope, then answers it when it is for this
// install (a refused one is acked too, so that Slack does not redeliver it).
func (a *App) onSocketEvent(ctx context.Context, sm *socketmode.Client, h opsbot.Handler, evt socketmode.Event) {
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		if err := sm.Ack(*evt.Request); err != nil {
			a.log.Error("slack: ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok && !a.refused("socket", "event", eventDelivery(ev)) {
			if in, ok := a.fromEventsAPI(ev); ok {
				a.dispatch(ctx, h, in)
			}
		}
	case socketmode.EventTypeSlashCommand:
		if c, ok := evt.Data.(slack.SlashCommand); ok && !a.refused("socket", "slash command", slashDelivery(c)) {
			a.dispatch(ctx, h, a.fromSlash(c))
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok && !a.refused("socket", "interaction", actionDelivery(cb)) {
			if in, ok := a.fromAction(cb); ok {
				a.dispatch(ctx, h, in)
			}
		}
	case socketmode.EventTypeConnected:
		a.log.Info("slack: connected with socket mode")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		a.log.Warn("slack: socket mode trouble", "type", evt.Type, "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack: socket mode token refused")
	}
}
