package slack

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/slack-go/slack"
)

// Notifier posts messages to rooms by name or ID. It implements
// opsbot.Poster for the schedules: Post returns the ts of the main message
// so follow-ups go into its thread.
type Notifier struct {
	app *App
	ids cache // channel name → ID

	mu     sync.Mutex
	listed time.Time // last conversations.list, to bound lookups of unknown names
}

// Post posts m.Reply to m.Channel ("tech-alerts", "#tech-alerts" or an ID),
// in m.Thread when set. Ephemeral replies are posted normally: a room has
// no single asker.
func (n *Notifier) Post(ctx context.Context, m opsbot.Message) (string, error) {
	id, err := n.channelID(ctx, m.Channel)
	if err != nil {
		return "", err
	}
	r := m.Reply
	r.Ephemeral = false
	ts, err := n.app.deliver(ctx, origin{channel: id, thread: m.Thread}, &r)
	if err != nil {
		return ts, fmt.Errorf("post to %s: %w", m.Channel, err)
	}
	return ts, nil
}

var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// channelID resolves a channel name to its ID with conversations.list,
// cached; an ID is returned as is.
func (n *Notifier) channelID(ctx context.Context, name string) (string, error) {
	if channelIDPattern.MatchString(name) {
		return name, nil
	}
	name = strings.ToLower(strings.TrimPrefix(name, "#"))
	if id, ok := n.ids.get(name); ok {
		return id, nil
	}
	if err := n.list(ctx); err != nil {
		return "", err
	}
	if id, ok := n.ids.get(name); ok {
		return id, nil
	}
	return "", opsbot.NotFoundf("channel #%s not found (is the name right, and is opsbot invited to it?)", name)
}

// list reads every channel the bot can see, at most once a minute.
func (n *Notifier) list(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.app.opts.Clock.Now()
	if !n.listed.IsZero() && now.Sub(n.listed) < time.Minute {
		return nil
	}
	cursor := ""
	for {
		var chans []slack.Channel
		var next string
		err := n.app.call.do(ctx, "conversations.list", func() (err error) {
			chans, next, err = n.app.api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
				Cursor: cursor, ExcludeArchived: true, Limit: 1000, Types: []string{"public_channel", "private_channel"},
			})
			return err
		})
		if err != nil {
			return err
		}
		cursor = next
		for _, c := range chans {
			n.ids.put(strings.ToLower(c.Name), c.ID)
		}
		if cursor == "" {
			n.listed = now
			return nil
		}
	}
}

// Update rewrites the message ts that Post returned, in place (Slack's
// chat.update), with m.Reply: progress that changes, such as a deploy's,
// stays one message. Only the main message is rewritten: a reply long
// enough to need continuations is cut to it.
func (n *Notifier) Update(ctx context.Context, m opsbot.Message, ts string) error {
	id, err := n.channelID(ctx, m.Channel)
	if err != nil {
		return err
	}
	p := render(&m.Reply, n.app.limits)
	err = n.app.call.paced(ctx, id, "chat.update", func() error {
		_, _, _, err := n.app.api.UpdateMessageContext(ctx, id, ts, slack.MsgOptionBlocks(p.Main.Blocks...), slack.MsgOptionText(p.Main.Text, false))
		return err
	})
	if err != nil {
		return fmt.Errorf("update in %s: %w", m.Channel, err)
	}
	return nil
}
