package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/slack-go/slack"
)

// Limits bound what one Slack message carries. Slack documents 3,000
// characters per section and 50 blocks per message, but rejects messages
// whose blocks total about 13k characters (msg_blocks_too_long): Message
// stays below that.
type Limits struct {
	Section  int // characters per section block (3000)
	Blocks   int // blocks per message (50)
	Message  int // characters of block text per message (12000)
	Summary  int // table rows in the channel when a long answer goes to a thread (10)
	LongRows int // tables with more rows are long answers (40)
	Messages int // most messages in a thread before truncating and attaching a CSV (4)
}

// DefaultLimits are Slack's limits with a safety margin.
var DefaultLimits = Limits{Section: 3000, Blocks: 50, Message: 12000, Summary: 10, LongRows: 40, Messages: 4}

// message is one chat.postMessage worth of blocks.
type message struct {
	Blocks []slack.Block
	Text   string // notification fallback
}

// plan is how a reply is posted: a main message, follow-ups in its thread,
// and a CSV of the whole table when the thread had to be truncated (Shown
// of Rows rows in the messages). Where the CSV goes is known only when it
// is sent: deliver adds the note that says so (withNote).
type plan struct {
	Main        message
	Thread      []message
	CSV         *opsbot.File
	Shown, Rows int
}

// messages are the plan's messages in order: the main one, then the thread.
func (p plan) messages() []message { return append([]message{p.Main}, p.Thread...) }

// withNote adds note (mrkdwn, one section) under the plan's last message;
// "" adds nothing. Packing leaves room for one more block in every message.
func (p plan) withNote(note string) plan {
	if note == "" {
		return p
	}
	last := &p.Main
	if n := len(p.Thread); n > 0 {
		p.Thread = append([]message(nil), p.Thread...)
		last = &p.Thread[n-1]
	}
	last.Blocks = append(append([]slack.Block(nil), last.Blocks...), section(note).b)
	return p
}

// block is a block with its text length, for packing.
type block struct {
	b slack.Block
	n int
}

func section(text string) block {
	return block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil), utf8.RuneCountInString(text)}
}

func contextLine(text string) block {
	return block{slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, false)), utf8.RuneCountInString(text)}
}

func buttons(bs []opsbot.Button) block {
	els := make([]slack.BlockElement, len(bs))
	n := 0
	for i, b := range bs {
		e := slack.NewButtonBlockElement(fmt.Sprintf("opsbot_%d", i), b.Command, slack.NewTextBlockObject(slack.PlainTextType, fit(b.Label, 75), true, false))
		if b.Style != "" {
			e = e.WithStyle(slack.Style(b.Style))
		}
		els[i] = e
		n += utf8.RuneCountInString(b.Label) + len(b.Command)
	}
	return block{slack.NewActionBlock("opsbot_actions", els...), n}
}

// render plans the messages for a reply. Every text from the reply goes
// through text.Mrkdwn (data escaped for Slack: no control character, no
// mention, no link); opsbot's own markup (*title*, <!here>) is added after.
func render(r *opsbot.Reply, lim Limits) plan {
	var head, tail []block
	if r.Title != "" {
		head = append(head, section(here(r)+"*"+fit(r.Title, lim.Section-len("<!here> **"))+"*"))
	} else if r.Here {
		head = append(head, section(here(r)))
	}
	for _, chunk := range splitText(text.Mrkdwn(r.Text), lim.Section) {
		head = append(head, section(chunk))
	}
	if r.Context != "" {
		tail = append(tail, contextLine(fit(r.Context, lim.Section)))
	}
	if len(r.Buttons) > 0 {
		tail = append(tail, buttons(r.Buttons))
	}
	fallback := fallbackText(r)
	if r.Table == nil || len(r.Table.Columns) == 0 {
		return packPlan(head, tail, nil, fallback, lim)
	}
	lines := text.Lines(r.Table, 0)
	rows := len(lines) - 2
	all := tableBlocks(lines[:2], lines[2:], lim.Section)
	if rows == 0 {
		all = []block{section("_No rows._")}
	}
	if p := packPlan(head, tail, all, fallback, lim); rows <= lim.LongRows && len(p.Thread) == 0 {
		return p
	}
	return longPlan(r.Table, lines, head, tail, fallback, lim)
}

// longPlan puts a summary in the channel and the table in its thread.
func longPlan(t *opsbot.Result, lines []string, head, tail []block, fallback string, lim Limits) plan {
	rows := len(lines) - 2
	n := min(lim.Summary, rows)
	main := append([]block{}, head...)
	main = append(main, tableBlocks(lines[:2], lines[2:2+n], lim.Section)...)
	main = append(main, section(fmt.Sprintf("_First %s of %s rows; every row is in the thread._", text.Thousands(fmt.Sprint(n)), text.Thousands(fmt.Sprint(rows)))))
	main = append(main, tail...)
	p := plan{Main: message{Blocks: blocksOf(main), Text: fallback}}
	msgs := pack(tableBlocks(lines[:2], lines[2:], lim.Section), lim)
	if len(msgs) > lim.Messages {
		shown := 0
		for _, m := range msgs[:lim.Messages] {
			shown += m.rows
		}
		msgs = msgs[:lim.Messages]
		p.CSV, p.Shown, p.Rows = csvFile(t), shown, rows
	}
	for _, m := range msgs {
		p.Thread = append(p.Thread, message{Blocks: blocksOf(m.blocks), Text: fallback + " (continued)"})
	}
	return p
}

// packPlan fits head, body and tail into one message when it can; what
// does not fit goes to the thread.
func packPlan(head, tail, body []block, fallback string, lim Limits) plan {
	all := append(append(append([]block{}, head...), body...), tail...)
	msgs := pack(all, lim)
	p := plan{Main: message{Blocks: blocksOf(msgs[0].blocks), Text: fallback}}
	for _, m := range msgs[1:] {
		p.Thread = append(p.Thread, message{Blocks: blocksOf(m.blocks), Text: fallback + " (continued)"})
	}
	return p
}

type packed struct {
	blocks []block
	rows   int
}

// pack groups blocks into messages within the block count and text budget.
func pack(bs []block, lim Limits) []packed {
	out := []packed{{}}
	size := 0
	for _, b := range bs {
		cur := &out[len(out)-1]
		if len(cur.blocks) > 0 && (len(cur.blocks)+1 > lim.Blocks-1 || size+b.n > lim.Message) {
			out = append(out, packed{})
			cur, size = &out[len(out)-1], 0
		}
		cur.blocks = append(cur.blocks, b)
		cur.rows += strings.Count(blockText(b), "\n") - 3 // header, rule, fences
		size += b.n
	}
	return out
}

// tableBlocks cuts table rows into monospace sections of at most max
// characters, each repeating the header so every part reads alone.
func tableBlocks(header, rows []string, max int) []block {
	var out []block
	const fences = len("```\n") + len("\n```")
	header = []string{text.Mrkdwn(header[0]), text.Mrkdwn(header[1])}
	base := utf8.RuneCountInString(strings.Join(header, "\n")) + fences
	var cur []string
	size := base
	flush := func() {
		text := "```\n" + strings.Join(append(append([]string{}, header...), cur...), "\n") + "\n```"
		out = append(out, section(text))
		cur, size = nil, base
	}
	for _, r := range rows {
		r = fit(r, max-base-1)
		n := utf8.RuneCountInString(r) + 1
		if len(cur) > 0 && size+n > max {
			flush()
		}
		cur = append(cur, r)
		size += n
	}
	if len(cur) > 0 {
		flush()
	}
	return out
}

// splitText cuts escaped text into chunks of at most max characters, at
// line ends where it can, never inside an entity.
func splitText(text string, max int) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		for utf8.RuneCountInString(line) > max {
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			r := []rune(line)
			at := entityStart(r, max)
			out = append(out, string(r[:at]))
			line = string(r[at:])
		}
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(line) > max {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// entityStart moves a cut at i back to the start of an entity (&amp;,
// &lt;, &gt;) that it would split.
func entityStart(r []rune, i int) int {
	for j := i - 1; j >= 0 && j >= i-len("&amp"); j-- {
		if r[j] == ';' {
			return i
		}
		if r[j] == '&' && j > 0 {
			return j
		}
	}
	return i
}

func blocksOf(bs []block) []slack.Block {
	out := make([]slack.Block, len(bs))
	for i, b := range bs {
		out[i] = b.b
	}
	return out
}

func blockText(b block) string {
	if s, ok := b.b.(*slack.SectionBlock); ok && s.Text != nil {
		return s.Text.Text
	}
	return ""
}

func fallbackText(r *opsbot.Reply) string {
	s := r.Title
	if s == "" {
		s, _, _ = strings.Cut(r.Text, "\n")
	}
	return fit(s, 150)
}

// here is the room ping a reply asks for: only opsbot sets Reply.Here (a
// page the pager could not deliver); text from input is escaped instead.
func here(r *opsbot.Reply) string {
	if r.Here {
		return "<!here> "
	}
	return ""
}

// fit renders one line of s (a title, a context, a table row, a button
// label) for Slack: text.Visible, newlines included, then text.Mrkdwn, cut
// to at most n characters, never inside an entity such as &lt;. Slack
// decodes the three entities in plain_text too.
func fit(s string, n int) string {
	s = text.Visible(s)
	e := text.Mrkdwn(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	var b strings.Builder
	k := 0
	for _, r := range s {
		x := text.Mrkdwn(string(r))
		if k+utf8.RuneCountInString(x) > n-1 {
			break
		}
		b.WriteString(x)
		k += utf8.RuneCountInString(x)
	}
	return b.String() + "…"
}
