package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
)

// within checks one message against Slack's limits, the ~13k practical one
// included, and returns its section texts.
func within(t *testing.T, m message) []string {
	t.Helper()
	raw, _ := json.Marshal(m.Blocks)
	var blocks []struct {
		Type string
		Text *struct{ Text string }
	}
	_ = json.Unmarshal(raw, &blocks)
	if len(blocks) > 50 {
		t.Errorf("%d blocks", len(blocks))
	}
	total := 0
	var texts []string
	for _, b := range blocks {
		if b.Text == nil {
			continue
		}
		n := utf8.RuneCountInString(b.Text.Text)
		if n > 3000 {
			t.Errorf("section of %d characters", n)
		}
		total += n
		texts = append(texts, b.Text.Text)
	}
	if total > 13000 {
		t.Errorf("message of %d characters of block text: Slack answers msg_blocks_too_long", total)
	}
	return texts
}

func wide(rows, cols, width int) *opsbot.Result {
	r := &opsbot.Result{}
	for j := 0; j < cols; j++ {
		r.Columns = append(r.Columns, opsbot.Column{Name: fmt.Sprint("c", j), Type: "String"})
	}
	for i := 0; i < rows; i++ {
		row := make([]any, cols)
		for j := range row {
			row[j] = fmt.Sprintf("r%05d-", i) + strings.Repeat("x", width)
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

func TestRenderStaysWithinLimits(t *testing.T) {
	for _, c := range []struct {
		name      string
		reply     opsbot.Reply
		thread    int  // thread messages wanted
		csv       bool // CSV attached
		rowsShown int  // distinct rows across the thread (-1: don't check)
	}{
		{"short table", opsbot.Reply{Title: "t", Table: wide(10, 2, 5)}, 0, false, -1},
		{"40 wide rows, over 13k", opsbot.Reply{Title: "t", Table: wide(40, 6, 40)}, 2, false, 40},
		{"300 rows", opsbot.Reply{Title: "t", Table: wide(300, 2, 10)}, 1, false, 300},
		{"20k rows", opsbot.Reply{Title: "t", Table: wide(20000, 3, 10)}, 4, true, -1},
		{"40k of text", opsbot.Reply{Title: "t", Text: strings.Repeat("a line of text that goes on\n", 1500)}, 3, false, -1},
	} {
		p := render(&c.reply, DefaultLimits)
		// with the longest note deliver may add under it
		charts := []opsbot.File{{Name: strings.Repeat("c", 200)}, {Name: strings.Repeat("d", 200)}}
		p = p.withNote(filesNote(p, charts, "", notAttachedHere, strings.Repeat("q", 500)))
		within(t, p.Main)
		seen := map[string]bool{}
		for _, m := range p.Thread {
			for _, s := range within(t, m) {
				for _, line := range strings.Split(s, "\n") {
					if strings.HasPrefix(line, "r") {
						seen[line[:7]] = true
					}
				}
			}
		}
		if len(p.Thread) != c.thread || (p.CSV != nil) != c.csv {
			t.Errorf("%s: %d thread messages, csv %v; want %d, %v", c.name, len(p.Thread), p.CSV != nil, c.thread, c.csv)
		}
		if c.rowsShown >= 0 && len(seen) != c.rowsShown {
			t.Errorf("%s: %d rows in the thread, want %d", c.name, len(seen), c.rowsShown)
		}
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"top 4xx by ip for <http://example.com|example.com>": "top 4xx by ip for example.com",
		"hits 1.2.3.4 &amp; more &lt;b&gt;":                  "hits 1.2.3.4 & more <b>",
		"<@UBOT> traffic <https://x.org/donate>":             "<@UBOT> traffic https://x.org/donate",
		"audit in <#C123|ops>":                               "audit in #ops",
	} {
		if got := plain(in); got != want {
			t.Errorf("plain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoRoomPingsFromEchoedInput(t *testing.T) {
	p := render(&opsbot.Reply{Text: `unknown phrase "top <!channel> by ip"; <@U0ALICE01> asked`}, DefaultLimits)
	text := blockText(block{b: p.Main.Blocks[0]})
	// Input echoed back mentions nobody, neither a room nor a person.
	if want := `unknown phrase "top &lt;!channel&gt; by ip"; &lt;@U0ALICE01&gt; asked`; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
}

func TestHereOnlyWhenOpsbotAsksForIt(t *testing.T) {
	p := render(&opsbot.Reply{Title: "PAGE for www: the pager failed", Here: true}, DefaultLimits)
	if got, want := blockText(block{b: p.Main.Blocks[0]}), "<!here> *PAGE for www: the pager failed*"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	p = render(&opsbot.Reply{Title: "<!here> from input"}, DefaultLimits)
	if got := blockText(block{b: p.Main.Blocks[0]}); strings.Contains(got, "<!here>") {
		t.Errorf("a title from input pinged the room: %q", got)
	}
}
