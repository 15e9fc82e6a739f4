package query_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
)

// TestAskNamesChatCommands: `ask "ban 1.2.3.4"` and `ask "sql …"` say the
// word is a chat command and where to use it, with no suggestion of some
// other phrase; an unknown word is still unknown.
func TestAskNamesChatCommands(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{Chat: []string{"ban", "sql"}})
	for phrase, word := range map[string]string{"ban 1.2.3.4": "ban", "SQL SELECT 1": "sql"} {
		_, err := e.Ask(context.Background(), phrase, day.Add(12*time.Hour))
		want := "`" + word + "` is a chat command: use it in Slack or `opsbot chat`"
		if !errors.Is(err, opsbot.ErrInvalid) || opsbot.ErrorText(err) != want {
			t.Errorf("%s: %v; want %q", phrase, err, want)
		}
		if s := e.SuggestFor(phrase, err); s != "" {
			t.Errorf("%s: suggests %q", phrase, s)
		}
	}
	if _, err := e.Ask(context.Background(), "xyzzy", day); err == nil || !strings.Contains(err.Error(), `I don't know "xyzzy"`) {
		t.Errorf("unknown word: %v", err)
	}
}

// TestBadAddressSaysWhatIsWrong: `hits 999.1.1.1` through the router names
// what is wrong with the address and suggests no phrase with another IP.
func TestBadAddressSaysWhatIsWrong(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	b := bot.New(bot.Options{Suggester: e}, e.Skill())
	for phrase, why := range map[string]string{
		"hits 999.1.1.1":      "999 is over 255",
		"hits 1.2.3":          "an IPv4 address has 4 numbers, it has 3",
		"hits 10.0.0.0/33":    "/33 is over 32, the longest IPv4 prefix",
		"hits 1.2.3.4/x last": "/x is not a prefix length",
	} {
		r := b.Handle(context.Background(), &opsbot.Request{Text: phrase, Now: day.Add(12 * time.Hour)})
		if !r.Ephemeral || !strings.Contains(r.Text, why) {
			t.Errorf("%s: %q; want %q", phrase, r.Text, why)
		}
		if strings.Contains(r.Text, "did you mean") {
			t.Errorf("%s: suggests another phrase: %q", phrase, r.Text)
		}
	}
}

// TestContextRoundsTheTimeTaken: an answer's footer shows the time the
// engine took rounded for people (29ms), never 29.115975ms.
func TestContextRoundsTheTimeTaken(t *testing.T) {
	r := ask(t, "top 4xx by ip last 24h", day.Add(24*time.Hour))
	if !roundedTook.MatchString(r.Context) {
		t.Errorf("footer %q: want the time as 29ms, <1ms or 2.35s", r.Context)
	}
}

var roundedTook = regexp.MustCompile(` rows scanned in (<1ms|\d{1,3}ms|\d{1,2}(\.\d{1,2})?s|\d+m\d+s) · `)

// TestHitsShowsEachValueOnce: `hits IP` through the router, rendered as the
// terminal renders it, shows the client's row once (as column: value
// lines), not a key:value block and then the same one-row table.
func TestHitsShowsEachValueOnce(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	r := bot.New(bot.Options{}, e.Skill()).Handle(context.Background(), &opsbot.Request{Text: "hits 104.2.1.1", Now: day.Add(24 * time.Hour)})
	if r.Ephemeral || r.Table == nil || len(r.Table.Rows) != 1 || r.Text != "" || !r.Record {
		t.Fatalf("reply %+v", r)
	}
	out := text.Reply(r)
	for _, c := range r.Table.Columns {
		if n := strings.Count(out, c.Name+":"); n != 1 {
			t.Errorf("%q shown %d times in\n%s", c.Name, n, out)
		}
	}
	if n := strings.Count(out, "104.2.1.1"); n != 3 { // the title, the ip line, the explain hint
		t.Errorf("the address shown %d times in\n%s", n, out)
	}
}

// TestStatusShowsNoResponseAs000: status 000 (CloudFront: the connection
// closed before a response) reads 000 in `status`, as in the daily report,
// explained once in the footer.
func TestStatusShowsNoResponseAs000(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	r := bot.New(bot.Options{}, e.Skill()).Handle(context.Background(), &opsbot.Request{Text: "status last 24h", Now: day.Add(24 * time.Hour)})
	if r.Table == nil || !text.HasNoResponse(r.Table) {
		t.Fatalf("no status 0 in the day's traffic: %+v", r)
	}
	out := text.Reply(r)
	if !regexp.MustCompile(`(?m)^\s*000\s`).MatchString(out) || regexp.MustCompile(`(?m)^\s*0\s`).MatchString(out) {
		t.Errorf("status 0 not shown as 000:\n%s", out)
	}
	if strings.Count(out, text.NoResponse) != 1 || !strings.HasSuffix(r.Context, text.NoResponse) {
		t.Errorf("000 not explained once in the footer:\n%s", out)
	}
}
