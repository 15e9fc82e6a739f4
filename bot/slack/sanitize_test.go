package slack_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/internal/text/texttest"
)

// slackEscaped is Slack's documented escaping, written here apart from
// the code under test.
var slackEscaped = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// TestDataCannotMentionLinkOrControl: a reply holding every C0 control,
// DEL, C1 controls, bidi overrides, invalid UTF-8, <!channel>, & and a
// forged link in its title, text, table, context and button, posted by the
// real transport, reaches Slack with no raw control or bidi character, no
// < or > and no bare & from data, and opsbot's own markup intact.
func TestDataCannotMentionLinkOrControl(t *testing.T) {
	r := newRig(t, nil)
	r.fake.Send("events_api", slackfake.Event("Ev1", slackfake.Mention("U0BOB0001", "C0OPS0001", "<@UBOT> hostile", "5.000001", "")))
	post := r.posts(t, 1)[0]
	h := texttest.Hostile()
	texts := append(blockTexts(t, post.Form.Get("blocks")), post.Form.Get("text"))
	bareAmp := regexp.MustCompile(`&(?:amp;|lt;|gt;)?`)
	for _, s := range texts {
		if i := texttest.Hidden(s); i >= 0 {
			t.Errorf("raw %q at %d in %q", s[i:i+1], i, s)
		}
		if strings.ContainsAny(s, "<>") {
			t.Errorf("< or > from data in %q", s)
		}
		for _, m := range bareAmp.FindAllString(s, -1) {
			if m == "&" {
				t.Errorf("bare & in %q", s)
			}
		}
	}
	want := []string{
		"*" + slackEscaped(texttest.Escaped("Top paths for "+h, false)) + "*", // the title: one line, bold
		slackEscaped(texttest.Escaped("Hits of "+h, true)),                    // the text keeps its lines
		"filter " + slackEscaped(texttest.Escaped(h, false)),
		"Ban " + slackEscaped(texttest.Escaped(h, false))[:75-len("Ban ")-1] + "…", // a button: 75 characters at most
	}
	for _, w := range want {
		if !contains(texts, w) {
			t.Errorf("no text %q among\n%q", w, texts)
		}
	}
	table := texts[2]
	if !strings.HasPrefix(table, "```\n"+`path\u202e`) || !strings.HasSuffix(table, "\n```") ||
		!strings.Contains(table, "\n"+`/ctl\x01\x07\x1b[31mred\x00nul`) || !strings.Contains(table, "\n"+slackEscaped(texttest.Markup)) {
		t.Errorf("table %q", table)
	}
}

// blockTexts are the texts of the blocks in raw, with those of context
// elements and button labels.
func blockTexts(t *testing.T, raw string) []string {
	t.Helper()
	type text struct{ Text string }
	var blocks []struct {
		Text     *text
		Elements []struct{ Text json.RawMessage }
	}
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		t.Fatalf("blocks: %v\n%s", err, raw)
	}
	var out []string
	for _, b := range blocks {
		if b.Text != nil {
			out = append(out, b.Text.Text)
		}
		for _, e := range b.Elements {
			var s string
			var o text
			if json.Unmarshal(e.Text, &s) == nil {
				out = append(out, s)
			} else if json.Unmarshal(e.Text, &o) == nil {
				out = append(out, o.Text)
			}
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
