package slack

import (
	"context"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// incoming is one request to answer, with the keys that identify it for
// deduplication and where its answer goes.
type incoming struct {
	keys []string
	req  opsbot.Request
	from origin
}

// fromEventsAPI turns a mention, a DM or an "opsbot …" channel message into
// a request; anything else (the bot's own messages, edits, chatter) is not
// for us.
func (a *App) fromEventsAPI(ev slackevents.EventsAPIEvent) (incoming, bool) {
	id := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		id = cb.EventID
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == a.opts.BotUserID || e.Edited != nil {
			return incoming{}, false
		}
		return a.fromMessage(id, "", e.Channel, e.User, e.TimeStamp, e.ThreadTimeStamp, plain(e.Text), isDM(e.Channel)), true
	case *slackevents.MessageEvent:
		if (e.SubType != "" && e.SubType != "thread_broadcast") || e.BotID != "" || e.User == "" || e.User == a.opts.BotUserID {
			return incoming{}, false
		}
		text, dm := plain(e.Text), e.ChannelType == slackevents.ChannelTypeIM
		if _, addressed := bot.Addressed(text, a.opts.BotUserID); !dm && !addressed {
			return incoming{}, false
		}
		return a.fromMessage(id, e.ClientMsgID, e.Channel, e.User, e.TimeStamp, e.ThreadTimeStamp, text, dm), true
	}
	return incoming{}, false
}

func (a *App) fromMessage(eventID, clientMsgID, channel, user, ts, thread, text string, dm bool) incoming {
	return incoming{
		keys: []string{key("event", eventID), key("msg", channel+"/"+ts), key("client_msg", clientMsgID)},
		req:  opsbot.Request{User: opsbot.User{ID: user}, Channel: channel, Thread: thread, TS: ts, DM: dm, Text: text, Transport: "slack"},
		from: origin{channel: channel, thread: a.replyThread(ts, thread, dm), user: user, question: ts, text: bot.Strip(text, a.opts.BotUserID)},
	}
}

// replyThread is where the answer to a message goes: the thread it was
// asked in, else (slack.reply_in_thread) a thread under a channel
// question; a DM's top-level question is answered at its top level.
func (a *App) replyThread(ts, thread string, dm bool) string {
	if thread == "" && !dm && !a.opts.TopLevel {
		return ts
	}
	return thread
}

// fromSlash turns "/opsbot top 4xx by ip" into a request. A slash command
// leaves no message to thread under: its answer goes at the top of the
// channel (continuations and files in the answer's thread), or through
// its response URL where the bot may not post.
func (a *App) fromSlash(c slack.SlashCommand) incoming {
	return incoming{
		keys: []string{key("trigger", c.TriggerID)},
		req:  opsbot.Request{User: opsbot.User{ID: c.UserID}, Channel: c.ChannelID, DM: isDM(c.ChannelID), Text: c.Text, Transport: "slack"},
		from: origin{channel: c.ChannelID, user: c.UserID, responseURL: c.ResponseURL, text: c.Text},
	}
}

// fromAction turns a press of one of opsbot's buttons into a request whose
// text is the button's command, from the presser; the answer goes to the
// thread of the message holding the button.
func (a *App) fromAction(cb slack.InteractionCallback) (incoming, bool) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return incoming{}, false
	}
	act := cb.ActionCallback.BlockActions[0]
	if !strings.HasPrefix(act.ActionID, "opsbot_") || act.Value == "" || cb.User.ID == "" {
		return incoming{}, false
	}
	channel := firstOf(cb.Channel.ID, cb.Container.ChannelID)
	thread := firstOf(cb.Message.ThreadTimestamp, cb.Container.ThreadTs, cb.Message.Timestamp, cb.Container.MessageTs)
	return incoming{
		keys: []string{key("action", cb.TriggerID+"/"+act.ActionTs)},
		req:  opsbot.Request{User: opsbot.User{ID: cb.User.ID}, Channel: channel, Thread: thread, DM: isDM(channel), Text: act.Value, Transport: "slack"},
		from: origin{channel: channel, thread: thread, user: cb.User.ID, responseURL: cb.ResponseURL, text: act.Value},
	}, true
}

func key(kind, id string) string {
	if id == "" || id == "/" || strings.HasSuffix(id, "/") {
		return ""
	}
	return kind + ":" + id
}

func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

var link = regexp.MustCompile(`<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>|<#[A-Z0-9]+\|([^>]*)>`)

// plain undoes Slack's formatting of message text: links become their
// label (Slack turns example.com into <http://example.com|example.com>),
// channel references their name, and &amp; &lt; &gt; their characters.
// User mentions stay for the router to strip.
func plain(s string) string {
	s = link.ReplaceAllStringFunc(s, func(m string) string {
		g := link.FindStringSubmatch(m)
		switch {
		case g[3] != "":
			return "#" + g[3]
		case g[2] != "":
			return g[2]
		}
		return strings.TrimPrefix(g[1], "mailto:")
	})
	return html.UnescapeString(s)
}

// dispatch answers in in the background, once: a redelivered event (same
// event ID, same message, same trigger) is dropped here.
func (a *App) dispatch(ctx context.Context, h opsbot.Handler, in incoming) {
	if !a.seen.first(in.keys...) {
		a.log.Debug("slack: duplicate delivery ignored", "keys", in.keys)
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		// Answers outlive a shutdown request by a little: the asker waits.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		a.work <- struct{}{}
		defer func() { <-a.work }()
		a.answer(ctx, h, in)
	}()
}

func (a *App) answer(ctx context.Context, h opsbot.Handler, in incoming) {
	in.req.User.Name = a.userName(ctx, in.req.User.ID)
	in.req.User.Groups = a.groupsOf(ctx, in.req.User.ID)
	in.req.Now = a.opts.Clock.Now()
	stop := a.progress(ctx, in.from)
	r := h.Handle(ctx, &in.req)
	stop()
	if _, err := a.deliver(ctx, in.from, r); err != nil {
		a.log.Error("slack: could not post the answer", "channel", in.from.channel, "user", in.from.user, "err", err)
		if !r.Ephemeral {
			_, _ = a.deliver(ctx, in.from, &opsbot.Reply{Text: "Sorry, I could not post the answer: " + err.Error(), Ephemeral: true})
		}
	}
}

// progressEmoji marks a question whose answer takes a while.
const progressEmoji = "hourglass_flowing_sand"

// progress adds a reaction to the question when the answer takes longer
// than Options.Progress; the returned stop removes it.
func (a *App) progress(ctx context.Context, o origin) (stop func()) {
	if a.opts.Progress < 0 || o.question == "" {
		return func() {}
	}
	sleep, cancel := context.WithCancel(ctx)
	added := make(chan bool, 1)
	ref := slack.NewRefToMessage(o.channel, o.question)
	go func() {
		if opsbot.Sleep(sleep, a.opts.Clock, a.opts.Progress) != nil {
			added <- false
			return
		}
		err := a.call.do(ctx, "reactions.add", func() error { return a.api.AddReactionContext(ctx, progressEmoji, ref) })
		added <- err == nil
	}()
	return func() {
		cancel()
		if <-added {
			err := a.call.do(ctx, "reactions.remove", func() error { return a.api.RemoveReactionContext(ctx, progressEmoji, ref) })
			if err != nil {
				a.log.Warn("slack: could not remove the progress reaction", "err", err)
			}
		}
	}
}
