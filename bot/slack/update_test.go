package slack_test

import (
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
)

// TestUpdateInPlace: Update rewrites the message Post returned with
// chat.update (channel ID, ts, blocks and text), in the channel's pace;
// a ts never posted is Slack's message_not_found.
func TestUpdateInPlace(t *testing.T) {
	r := newRig(t, nil)
	n := r.app.Notifier()
	ts, err := n.Post(r.ctx, opsbot.Message{Channel: "ops", Reply: opsbot.Reply{Title: "Deploy api: queued"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Update(r.ctx, opsbot.Message{Channel: "#ops", Reply: opsbot.Reply{Title: "Deploy api: succeeded", Text: "✅ build"}}, ts); err != nil {
		t.Fatal(err)
	}
	calls := r.fake.Calls("chat.update")
	if len(calls) != 1 {
		t.Fatalf("chat.update calls: %v", calls)
	}
	f := calls[0].Form
	if f.Get("channel") != "C0OPS0001" || f.Get("ts") != ts || !strings.Contains(f.Get("blocks"), "Deploy api: succeeded") || !strings.Contains(f.Get("blocks"), "✅ build") {
		t.Errorf("chat.update form: %v", f)
	}
	if len(r.fake.Calls("chat.postMessage")) != 1 {
		t.Errorf("an update posted a new message")
	}
	err = n.Update(r.ctx, opsbot.Message{Channel: "ops", Reply: opsbot.Reply{Title: "x"}}, "1.000001")
	if err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Errorf("unknown ts: %v", err)
	}
}
