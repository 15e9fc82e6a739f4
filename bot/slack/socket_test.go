package slack_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/bot/slack/slackfake"
)

func TestMentionAnsweredWithExactBlocks(t *testing.T) {
	r := newRig(t, nil)
	env := r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> rows 3", "1700000000.000001", "")))
	post := r.posts(t, 1)[0]
	want := "[" +
		`{"type":"section","text":{"type":"mrkdwn","text":"*Top 3 by ip*"}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"` + "```" + `\nip        requests\n────────  ────────\n10.0.0.0   100,000\n10.0.0.1    99,993\n10.0.0.2    99,986\n` + "```" + `"}},` +
		`{"type":"context","elements":[{"type":"mrkdwn","text":"last hour · 1,000 rows scanned"}]}` + "]"
	if got := compact(t, post.Form.Get("blocks")); got != compact(t, want) {
		t.Errorf("blocks\n got %s\nwant %s", got, compact(t, want))
	}
	if post.Form.Get("channel") != "C0OPS0001" || post.Form.Get("thread_ts") != "1700000000.000001" || post.Form.Get("text") != "Top 3 by ip" {
		t.Errorf("posted to %v", post.Form)
	}
	if err := r.fake.Wait(r.ctx, func([]slackfake.Call) bool { return r.fake.Unacked() == 0 }); err != nil || env == "" {
		t.Errorf("envelope %s not acked: %v", env, err)
	}
}

// The ack does not wait for the answer: a slow question is acked while
// its skill still works.
func TestAckBeforeAnswer(t *testing.T) {
	r := newRig(t, nil)
	env := r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> slow", "1.000001", "")))
	acks, err := r.fake.WaitCalls(r.ctx, "ack", 1)
	if err != nil || acks[0].Form.Get("envelope_id") != env {
		t.Fatalf("acks %v: %v", acks, err)
	}
	if n := len(r.fake.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("answered before the skill finished: %d", n)
	}
	close(r.skill.release)
	if p := r.posts(t, 1)[0]; p.Form.Get("text") != "done slowly" {
		t.Errorf("answer: %v", p.Form)
	}
}

func TestTriggersThreadsAndDedupe(t *testing.T) {
	r := newRig(t, nil)
	send := func(id string, ev map[string]any) { r.fake.Send("events_api", slackfake.Event(id, ev)) }
	// Not for us: chatter, the bot itself, an edit.
	send("Ev1", slackfake.Message("U0BOB0001", "C0OPS0001", "channel", "echo chatter", "1.000001", ""))
	send("Ev2", slackfake.Message(slackfake.BotID, "C0OPS0001", "channel", "opsbot echo myself", "1.000002", ""))
	edit := slackfake.Message("U0BOB0001", "C0OPS0001", "channel", "opsbot echo edited", "1.000003", "")
	edit["subtype"] = "message_changed"
	send("Ev3", edit)
	// For us: a channel message with the prefix, in a thread; a DM; a
	// mention that also arrives as a message event (one answer).
	send("Ev4", slackfake.Message("U0BOB0001", "C0OPS0001", "channel", "OpsBot  echo in thread", "1.000004", "1.000000"))
	send("Ev5", slackfake.Message("U0ALICE01", "D0ALICE01", "im", "echo dm &amp; more", "1.000005", ""))
	send("Ev6", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo both", "1.000006", ""))
	send("Ev7", slackfake.Message("U0BOB0001", "C0OPS0001", "channel", "<@UBOT> echo both", "1.000006", ""))
	send("Ev6", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo both", "1.000006", "")) // Slack's retry
	r.posts(t, 3)
	r.stop()
	got := map[string]string{}
	for _, p := range r.fake.Calls("chat.postMessage") {
		got[p.Form.Get("text")] = p.Form.Get("channel") + " " + p.Form.Get("thread_ts")
	}
	want := map[string]string{ // the fallback text is mrkdwn too: & goes as &amp;
		"echo in thread (U0BOB0001 bob)":       "C0OPS0001 1.000000",
		"echo dm &amp; more (U0ALICE01 alice)": "D0ALICE01 ",
		"echo both (U0BOB0001 bob)":            "C0OPS0001 1.000006", // slack.reply_in_thread: under the question
	}
	if len(r.fake.Calls("chat.postMessage")) != 3 || len(got) != 3 {
		t.Fatalf("answers: %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("answer %q went to %q, want %q", k, got[k], v)
		}
	}
}

func TestDisconnectMidConversation(t *testing.T) {
	r := newRig(t, nil)
	ask := func(id, text, ts string) {
		r.fake.Send("events_api", slackfake.Event(id, slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo "+text, ts, "")))
	}
	ask("Ev1", "one", "2.000001")
	r.posts(t, 1)
	r.fake.Drop() // the network goes away
	ask("Ev2", "two", "2.000002")
	ask("Ev3", "three", "2.000003")
	if _, err := r.fake.WaitCalls(r.ctx, "socket.connect", 2); err != nil {
		t.Fatal(err)
	}
	r.posts(t, 3)
	r.fake.Disconnect() // Slack rotates the connection
	if _, err := r.fake.WaitCalls(r.ctx, "socket.connect", 3); err != nil {
		t.Fatal(err)
	}
	ask("Ev3", "three", "2.000003") // redelivered after the reconnection
	ask("Ev4", "four", "2.000004")
	r.posts(t, 4)
	if err := r.fake.Wait(r.ctx, func([]slackfake.Call) bool { return r.fake.Unacked() == 0 }); err != nil {
		t.Errorf("%d envelopes never acked: %v", r.fake.Unacked(), err)
	}
	r.stop()
	var texts []string
	for _, p := range r.fake.Calls("chat.postMessage") {
		texts = append(texts, strings.TrimSuffix(p.Form.Get("text"), " (U0BOB0001 bob)"))
	}
	sort.Strings(texts)
	if strings.Join(texts, ",") != "echo four,echo one,echo three,echo two" {
		t.Errorf("answers = %v, want each question answered once", texts)
	}
}

func TestSocketSlashCommandAndButton(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0OPS0001", "confirm", "trig1"))
	post := r.posts(t, 1)[0]
	want := `[{"type":"section","text":{"type":"mrkdwn","text":"Sure?"}},` +
		`{"type":"actions","block_id":"opsbot_actions","elements":[` +
		`{"type":"button","text":{"type":"plain_text","text":"Yes","emoji":true},"action_id":"opsbot_0","value":"echo yes","style":"primary"},` +
		`{"type":"button","text":{"type":"plain_text","text":"No","emoji":true},"action_id":"opsbot_1","value":"echo no"}]}]`
	if compact(t, post.Form.Get("blocks")) != compact(t, want) {
		t.Errorf("blocks\n got %s\nwant %s", compact(t, post.Form.Get("blocks")), compact(t, want))
	}
	// Alice presses Yes: the button's command runs as hers, in the thread.
	r.fake.Send("interactive", r.fake.Press("U0ALICE01", "C0OPS0001", post.TS, "opsbot_0", "echo yes", "trig2"))
	answer := r.posts(t, 2)[1]
	if answer.Form.Get("text") != "echo yes (U0ALICE01 alice)" || answer.Form.Get("thread_ts") != post.TS {
		t.Errorf("press answer: %v", answer.Form)
	}
}

// /opsbot in a channel the bot was never invited to: the answer goes
// through the response URL instead.
func TestSlashOutsideChannelUsesResponseURL(t *testing.T) {
	r := newRig(t, nil)
	r.fake.NotIn("C0ELSEWHR")
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0ELSEWHR", "echo hi", "trig9"))
	resp, err := r.fake.WaitCalls(r.ctx, "response", 1)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(resp[0].JSON, &m)
	if m["response_type"] != "in_channel" || m["text"] != "echo hi (U0BOB0001 bob)" || !strings.HasSuffix(resp[0].Form.Get("url"), "/trig9") {
		t.Errorf("response: %s", resp[0].JSON)
	}
}
