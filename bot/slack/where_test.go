package slack_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/slack"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/config"
)

// onlyHosts sends requests to the fake's hosts and refuses (and keeps) any
// other, slack.com included.
type onlyHosts struct {
	allowed []string
	mu      sync.Mutex
	refused []string
}

func (o *onlyHosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if !slices.Contains(o.allowed, r.URL.Host) {
		o.mu.Lock()
		o.refused = append(o.refused, r.URL.String())
		o.mu.Unlock()
		return nil, fmt.Errorf("test: refused %s", r.URL)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// slack.api_url reaches every Web API call, Socket Mode's
// apps.connections.open and both ends of file uploads; the upload URL
// (another host) is used as given, without the token.
func TestEveryCallGoesToTheConfiguredAPIURL(t *testing.T) {
	fake := slackfake.NewAt("/custom/api/")
	c := config.Default()
	c.Slack.APIURL = fake.URL + "/custom/api" // config adds the final slash
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	apiHost := strings.TrimPrefix(fake.URL, "http://")
	hosts := &onlyHosts{allowed: []string{apiHost, fake.UploadHost()}}
	r := newRigOn(t, fake, func(o *slack.Options) {
		o.APIURL = c.Slack.APIURL // as cmd/opsbot's wire.go passes it
		o.HTTPClient = &http.Client{Transport: hosts}
	})
	fake.NotIn("C0PRIVATE")
	fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> chart", "8.000001", "")))
	fake.Send("events_api", slackfake.Event("Ev2", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> ban 1.2.3.4", "8.000002", "")))
	fake.Send("slash_commands", fake.Slash("U0BOB0001", "C0PRIVATE", "chart", "trig1"))
	if _, err := r.app.Notifier().Post(r.ctx, opsbot.Message{Channel: "ops", Reply: opsbot.Reply{Text: "notice"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitCalls(r.ctx, "files.completeUploadExternal", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitCalls(r.ctx, "response", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitCalls(r.ctx, "chat.postEphemeral", 1); err != nil {
		t.Fatal(err)
	}
	r.stop()
	methods := map[string]bool{}
	for _, h := range fake.Hits() {
		switch {
		case h.Host == apiHost && strings.HasPrefix(h.Path, "/custom/api/"):
			methods[strings.TrimPrefix(h.Path, "/custom/api/")] = true
		case h.Host == apiHost && (h.Path == "/link" || strings.HasPrefix(h.Path, "/response/")):
		case h.Host == fake.UploadHost() && strings.HasPrefix(h.Path, "/upload/"):
			methods["upload"] = true
		default:
			t.Errorf("request outside the API URL: %s%s", h.Host, h.Path)
		}
	}
	for _, m := range []string{"auth.test", "bots.info", "apps.connections.open", "users.info", "usergroups.list", "chat.postMessage",
		"chat.postEphemeral", "conversations.list", "conversations.open", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"} {
		if !methods[m] {
			t.Errorf("%s never reached /custom/api/ (got %v)", m, methods)
		}
	}
	if len(hosts.refused) > 0 {
		t.Errorf("requests to other hosts: %v", hosts.refused)
	}
	for _, up := range fake.Calls("upload") {
		if a := up.Form.Get("authorization"); a != "" {
			t.Errorf("the token went to the upload host: %q", a)
		}
	}
}

// slack.reply_in_thread: false answers a top-level question at top level;
// what does not fit still goes in the answer's thread, and a question
// asked in a thread is answered there.
func TestReplyAtTopLevel(t *testing.T) {
	c := config.Default()
	c.Slack.ReplyInThread = false
	r := newRig(t, func(o *slack.Options) { o.TopLevel = !c.Slack.ReplyInThread })
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> chart", "9.000001", "")))
	if _, err := r.fake.WaitCalls(r.ctx, "files.completeUploadExternal", 1); err != nil {
		t.Fatal(err)
	}
	r.fake.Send("events_api", slackfake.Event("Ev2", slackfake.Message("U0BOB0001", "C0OPS0001", "channel", "opsbot echo threaded", "9.000003", "9.000002")))
	posts := r.posts(t, 2)
	done := r.fake.Calls("files.completeUploadExternal")[0]
	if posts[0].Form.Get("thread_ts") != "" || done.Form.Get("thread_ts") != posts[0].TS {
		t.Errorf("answer at %q, chart at %q; want top level, chart under the answer %s", posts[0].Form.Get("thread_ts"), done.Form.Get("thread_ts"), posts[0].TS)
	}
	if posts[1].Form.Get("thread_ts") != "9.000002" {
		t.Errorf("question in a thread answered at %q", posts[1].Form.Get("thread_ts"))
	}
}

// responses are the JSON bodies posted to response URLs, in order.
func responses(t *testing.T, calls []slackfake.Call) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, c := range calls {
		var m map[string]any
		if err := json.Unmarshal(c.JSON, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func blocksText(m map[string]any) string {
	b, _ := json.Marshal(m["blocks"])
	return string(b)
}

// A big answer to /opsbot in a private channel the bot is not in: the
// rows shown go through the response URL, the CSV to the asker's DM
// (conversations.open, then files.completeUploadExternal with the DM's
// channel_id, before the answer says so).
func TestBigSlashAnswerOutsideSendsCSVToDM(t *testing.T) {
	r := newRig(t, nil)
	r.fake.NotIn("C0PRIVATE")
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0PRIVATE", "rows 5000", "trig1"))
	resp, err := r.fake.WaitCalls(r.ctx, "response", 5)
	if err != nil {
		t.Fatal(err)
	}
	r.stop()
	open := r.fake.Calls("conversations.open")
	done := r.fake.Calls("files.completeUploadExternal")
	if len(open) != 1 || open[0].Form.Get("users") != "U0BOB0001" || len(done) != 1 || done[0].Form.Get("channel_id") != "D0BOB0001" || done[0].Form.Get("thread_ts") != "" {
		t.Fatalf("conversations.open %v, complete %v", open, done)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.fake.Calls("upload")[0].Body)).ReadAll()
	if err != nil || len(recs) != 5001 {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}
	msgs := responses(t, resp)
	last := blocksText(msgs[4])
	if !strings.Contains(last, "every row is in result.csv, sent to the asker in a direct message from opsbot._") {
		t.Errorf("last response does not say where the CSV went: %.400s", last[max(0, len(last)-400):])
	}
	for i, m := range msgs {
		if m["response_type"] != "in_channel" || strings.Contains(blocksText(m), "attached CSV") {
			t.Errorf("response %d: %v, %.200s", i, m["response_type"], blocksText(m))
		}
	}
	all := r.fake.Calls("")
	if slices.IndexFunc(all, isMethod("files.completeUploadExternal")) > slices.IndexFunc(all, isMethod("response")) {
		t.Error("the answer went out before the CSV it names")
	}
}

func isMethod(m string) func(slackfake.Call) bool {
	return func(c slackfake.Call) bool { return c.Method == m }
}

// When Slack opens no DM with the asker, nothing is uploaded and the
// answer says how to get every row and that the chart is not there.
func TestSlashAnswerOutsideWithoutDMClaimsNoFile(t *testing.T) {
	r := newRig(t, nil)
	r.fake.NotIn("C0PRIVATE")
	r.fake.NoDM("U0BOB0001")
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0PRIVATE", "rows 5000", "trig1"))
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0PRIVATE", "chart", "trig2"))
	resp, err := r.fake.WaitCalls(r.ctx, "response", 6)
	if err != nil {
		t.Fatal(err)
	}
	r.stop()
	if n := len(r.fake.Calls("files.completeUploadExternal")); n != 0 {
		t.Fatalf("%d files shared", n)
	}
	byURL := map[string]string{}
	for i, m := range responses(t, resp) {
		byURL[resp[i].Form.Get("url")] = blocksText(m)
		if strings.Contains(blocksText(m), "attached CSV") || strings.Contains(blocksText(m), "sent to") {
			t.Errorf("response claims a file: %.300s", blocksText(m))
		}
	}
	rows, chart := byURL["/response/trig1"], byURL["/response/trig2"]
	if !strings.Contains(rows, "the CSV of every row could not be attached here (opsbot is not in this channel): ask in a DM with opsbot, or run `opsbot ask --format csv \\\"rows 5000\\\"` where opsbot runs._") {
		t.Errorf("rows: no way to every row in %.400s", rows[max(0, len(rows)-400):])
	}
	if !strings.Contains(chart, "_requests.png could not be attached here (opsbot is not in this channel)._") {
		t.Errorf("chart: %s", chart)
	}
}

// A chart through /opsbot outside the bot's channels goes to the DM too.
func TestSlashChartOutsideGoesToDM(t *testing.T) {
	r := newRig(t, nil)
	r.fake.NotIn("C0PRIVATE")
	r.fake.Send("slash_commands", r.fake.Slash("U0BOB0001", "C0PRIVATE", "chart", "trig1"))
	resp, err := r.fake.WaitCalls(r.ctx, "response", 1)
	if err != nil {
		t.Fatal(err)
	}
	done := r.fake.Calls("files.completeUploadExternal")
	if len(done) != 1 || done[0].Form.Get("channel_id") != "D0BOB0001" || !bytes.Equal(r.fake.Calls("upload")[0].Body, pngBytes) {
		t.Fatalf("complete: %v", done)
	}
	if b := blocksText(responses(t, resp)[0]); !strings.Contains(b, "_requests.png sent to the asker in a direct message from opsbot._") {
		t.Errorf("response: %s", b)
	}
}

// chat.postEphemeral carries no files: an ephemeral reply uploads none
// (it may be a secret: an upload would stay) and says so instead.
func TestEphemeralRepliesClaimNoFiles(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> private 5000", "10.000001", "")))
	eph, err := r.fake.WaitCalls(r.ctx, "chat.postEphemeral", 5)
	if err != nil {
		t.Fatal(err)
	}
	r.stop()
	if n := len(r.fake.Calls("files.getUploadURLExternal")) + len(r.fake.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d uploads or public posts", n)
	}
	for _, e := range eph {
		if strings.Contains(e.Form.Get("blocks"), "attached CSV") || e.Form.Get("user") != "U0BOB0001" {
			t.Errorf("ephemeral: %.300s", e.Form)
		}
	}
	last := eph[len(eph)-1].Form.Get("blocks")
	for _, want := range []string{
		"the CSV of every row cannot go with a message only you see: ask in a DM with opsbot, or run `opsbot ask --format csv \\\"private 5000\\\"` where opsbot runs._",
		"_requests.png cannot go with a message only you see._",
	} {
		if !strings.Contains(last, want) {
			t.Errorf("last ephemeral lacks %q: %.500s", want, last[max(0, len(last)-500):])
		}
	}
}
