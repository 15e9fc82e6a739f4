package slack_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
)

func TestPacingPerChannel(t *testing.T) {
	r := newRig(t, nil)
	n := r.app.Notifier()
	for _, room := range []string{"tech-alerts", "#tech-alerts", "ops", "C0ALERTS1"} {
		if _, err := n.Post(r.ctx, opsbot.Message{Channel: room, Reply: opsbot.Reply{Text: "to " + room}}); err != nil {
			t.Fatal(err)
		}
	}
	// tech-alerts three times: two waits of a second; ops does not wait.
	if got := r.clock.Slept(); !reflect.DeepEqual(got, []time.Duration{time.Second, time.Second}) {
		t.Errorf("waits = %v, want [1s 1s]", got)
	}
	var chans []string
	for _, p := range r.fake.Calls("chat.postMessage") {
		chans = append(chans, p.Form.Get("channel"))
	}
	if strings.Join(chans, " ") != "C0ALERTS1 C0ALERTS1 C0OPS0001 C0ALERTS1" {
		t.Errorf("channels = %v", chans)
	}
	if l := len(r.fake.Calls("conversations.list")); l != 1 {
		t.Errorf("conversations.list called %d times, want 1 (cached)", l)
	}
	// A follow-up in the thread of a notice; an ephemeral reply has no
	// asker in a room and is posted for all.
	ts := r.fake.Calls("chat.postMessage")[0].TS
	if _, err := n.Post(r.ctx, opsbot.Message{Channel: "tech-alerts", Thread: ts, Reply: opsbot.Reply{Text: "resolved", Ephemeral: true}}); err != nil {
		t.Fatal(err)
	}
	if last := r.fake.Calls("chat.postMessage")[4]; last.Form.Get("thread_ts") != ts || last.Form.Get("text") != "resolved" {
		t.Errorf("follow-up: %v", last.Form)
	}
	if _, err := n.Post(r.ctx, opsbot.Message{Channel: "nowhere", Reply: opsbot.Reply{Text: "x"}}); err == nil || !strings.Contains(err.Error(), "channel #nowhere not found") || !errors.Is(err, opsbot.ErrNotFound) {
		t.Errorf("unknown room: %v", err)
	}
}

func TestRateLimitStorm(t *testing.T) {
	r := newRig(t, nil)
	r.fake.RateLimit("chat.postMessage", 2, 5, 1)
	n := r.app.Notifier()
	for i := 0; i < 2; i++ {
		if _, err := n.Post(r.ctx, opsbot.Message{Channel: "ops", Reply: opsbot.Reply{Text: fmt.Sprint("m", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Retry-After 2s, 5s, 1s for the first message, then the 1s pace.
	want := []time.Duration{2 * time.Second, 5 * time.Second, time.Second, time.Second}
	if got := r.clock.Slept(); !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	// A storm on many posts at once: every one gets through.
	storm := make([]int, 30)
	for i := range storm {
		storm[i] = 1 + i%3
	}
	r.fake.RateLimit("chat.postMessage", storm...)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			room := []string{"ops", "tech-alerts"}[i%2]
			_, err := n.Post(r.ctx, opsbot.Message{Channel: room, Reply: opsbot.Reply{Text: fmt.Sprint("s", i)}})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := map[string]int{}
	for _, p := range r.fake.Calls("chat.postMessage") {
		got[p.Form.Get("text")]++
	}
	for i := 0; i < 20; i++ {
		if got[fmt.Sprint("s", i)] != 1 {
			t.Errorf("message s%d posted %d times", i, got[fmt.Sprint("s", i)])
		}
	}
	if l := len(r.fake.Calls("chat.postMessage 429")); l != 33 {
		t.Errorf("429s served = %d, want 33", l)
	}
}

func TestAnswerTooBigForOneMessage(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> rows 5000", "3.000001", "")))
	if _, err := r.fake.WaitCalls(r.ctx, "files.completeUploadExternal", 1); err != nil {
		for _, c := range r.fake.Calls("") {
			t.Logf("%s %.200v", c.Method, c.Form)
		}
		t.Fatal(err)
	}
	r.stop()
	if rej := r.fake.Calls("chat.postMessage rejected"); len(rej) > 0 {
		t.Fatalf("Slack rejected %d messages: %v", len(rej), rej[0].Form.Get("blocks")[:200])
	}
	posts := r.fake.Calls("chat.postMessage")
	main := posts[0]
	if main.Form.Get("thread_ts") != "3.000001" || !strings.Contains(main.Form.Get("blocks"), "First 10 of 5,000 rows; every row is in the thread.") {
		t.Errorf("summary message: %v", main.Form)
	}
	rows := 0
	for _, p := range posts[1:] {
		if p.Form.Get("thread_ts") != "3.000001" {
			t.Errorf("continuation outside the question's thread: %v", p.Form.Get("thread_ts"))
		}
		rows += tableRows(t, p.Form.Get("blocks"))
	}
	if len(posts)-1 != slack.DefaultLimits.Messages || !strings.Contains(posts[len(posts)-1].Form.Get("blocks"), fmt.Sprintf("Rows 1–%s of 5,000 shown; every row is in the attached CSV.", thousands(rows))) {
		t.Errorf("%d thread messages with %d rows; last: %.300s", len(posts)-1, rows, posts[len(posts)-1].Form.Get("blocks"))
	}
	// The CSV went through the v2 flow into the thread and holds every row.
	up := r.fake.Calls("upload")
	done := r.fake.Calls("files.completeUploadExternal")[0]
	if len(r.fake.Calls("files.getUploadURLExternal")) != 1 || len(up) != 1 || done.Form.Get("thread_ts") != "3.000001" || done.Form.Get("channel_id") != "C0OPS0001" {
		t.Fatalf("upload flow: %d uploads, complete %v", len(up), done.Form)
	}
	recs, err := csv.NewReader(bytes.NewReader(up[0].Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5001 || strings.Join(recs[0], ",") != "ip,requests" {
		t.Fatalf("csv has %d records, header %v", len(recs), recs[0])
	}
	for i, rec := range recs[1:] {
		if want := []string{fmt.Sprintf("10.0.%d.%d", i/256, i%256), fmt.Sprint(100000 - i*7)}; !reflect.DeepEqual(rec, want) {
			t.Fatalf("csv row %d = %v, want %v", i, rec, want)
		}
	}
}

// tableRows counts the data rows of the monospace tables in blocks.
func tableRows(t *testing.T, raw string) int {
	var blocks []struct {
		Text *struct{ Text string } `json:"text"`
	}
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range blocks {
		if b.Text != nil && strings.HasPrefix(b.Text.Text, "```") {
			n += strings.Count(b.Text.Text, "\n10.0.")
		}
	}
	return n
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) > 3 {
		return s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}

func TestChartUploadedInThread(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> chart", "4.000001", "4.000000")))
	if _, err := r.fake.WaitCalls(r.ctx, "files.completeUploadExternal", 1); err != nil {
		t.Fatal(err)
	}
	up := r.fake.Calls("upload")[0]
	done := r.fake.Calls("files.completeUploadExternal")[0]
	get := r.fake.Calls("files.getUploadURLExternal")[0]
	if !bytes.Equal(up.Body, pngBytes) || get.Form.Get("filename") != "requests.png" || get.Form.Get("length") != fmt.Sprint(len(pngBytes)) {
		t.Errorf("upload: %q, %v", up.Body, get.Form)
	}
	if done.Form.Get("thread_ts") != "4.000000" || done.Form.Get("channel_id") != "C0OPS0001" || !strings.Contains(done.Form.Get("files"), `"title":"Requests"`) {
		t.Errorf("complete: %v", done.Form)
	}
}

// A chart asked at top level goes with its answer, in a thread under the
// question, not loose in the channel.
func TestChartOfATopLevelQuestionGoesUnderItsAnswer(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> chart", "5.000001", "")))
	if _, err := r.fake.WaitCalls(r.ctx, "files.completeUploadExternal", 1); err != nil {
		t.Fatal(err)
	}
	done := r.fake.Calls("files.completeUploadExternal")[0]
	if done.Form.Get("thread_ts") != "5.000001" || done.Form.Get("channel_id") != "C0OPS0001" {
		t.Errorf("chart posted outside its answer's thread: %v", done.Form)
	}
}

func TestRefusalIsEphemeral(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> ban 1.2.3.4", "5.000001", "")))
	calls, err := r.fake.WaitCalls(r.ctx, "chat.postEphemeral", 1)
	if err != nil {
		t.Fatal(err)
	}
	e := calls[0].Form
	want := `[{"type":"section","text":{"type":"mrkdwn","text":"` + "`ban`" + ` needs the operator role; you are a reader."}}]`
	if e.Get("user") != "U0BOB0001" || e.Get("channel") != "C0OPS0001" || compact(t, e.Get("blocks")) != compact(t, want) {
		t.Errorf("ephemeral = %v", e)
	}
	r.stop()
	if n := len(r.fake.Calls("chat.postMessage")); n != 0 {
		t.Errorf("refusal also posted publicly (%d)", n)
	}
}

func TestRolesByUserGroup(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0CAROL01", "C0OPS0001", "<@UBOT> ban 1.2.3.4", "5.000002", "")))
	if p := r.posts(t, 1)[0]; p.Form.Get("text") != "ban 1.2.3.4 (U0CAROL01 carol)" {
		t.Errorf("operator by group: %v", p.Form)
	}
}

func TestAllowedChannels(t *testing.T) {
	r := newRig(t, func(o *slack.Options) { o.Channels = []string{"ops"} })
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0ALERTS1", "<@UBOT> echo here", "6.000001", "")))
	r.fake.Send("events_api", slackfake.Event("Ev2", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> echo there", "6.000002", "")))
	r.fake.Send("events_api", slackfake.Event("Ev3", slackfake.Message("U0BOB0001", "D0BOB0001", "im", "echo dm", "6.000003", "")))
	eph, err := r.fake.WaitCalls(r.ctx, "chat.postEphemeral", 1)
	if err != nil {
		t.Fatal(err)
	}
	posts := r.posts(t, 2)
	if !strings.Contains(eph[0].Form.Get("blocks"), "opsbot answers in #ops and in direct messages") || eph[0].Form.Get("channel") != "C0ALERTS1" {
		t.Errorf("refusal: %v", eph[0].Form)
	}
	chans := []string{posts[0].Form.Get("channel"), posts[1].Form.Get("channel")}
	sort.Strings(chans)
	if chans[0] != "C0OPS0001" || chans[1] != "D0BOB0001" {
		t.Errorf("answered in %v", chans)
	}
}

func TestProgressReaction(t *testing.T) {
	r := newRig(t, func(o *slack.Options) { o.Progress = 2 * time.Second })
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> slow", "7.000001", "")))
	add, err := r.fake.WaitCalls(r.ctx, "reactions.add", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.fake.Calls("chat.postMessage")) != 0 {
		t.Fatal("answered before the slow skill finished")
	}
	close(r.skill.release)
	rm, err := r.fake.WaitCalls(r.ctx, "reactions.remove", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []slackfake.Call{add[0], rm[0]} {
		if c.Form.Get("name") != "hourglass_flowing_sand" || c.Form.Get("timestamp") != "7.000001" || c.Form.Get("channel") != "C0OPS0001" {
			t.Errorf("%s: %v", c.Method, c.Form)
		}
	}
	if p := r.posts(t, 1)[0]; p.Form.Get("text") != "done slowly" {
		t.Errorf("answer: %v", p.Form)
	}
}
