package feeds

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/opsbot/opsbot/internal/text"
)

// Kind is what an item is.
type Kind string

// Kinds of item.
const (
	KindPR     Kind = "pr"     // a pull request opened, reopened, ready for review or merged
	KindIssue  Kind = "issue"  // a GitHub issue opened
	KindTicket Kind = "ticket" // a ticket from Jira or a generic webhook
	KindPost   Kind = "post"   // a public post of a watched account
)

// Item is one new thing a source reports, as adapters normalize it. Every
// text field is untrusted (written by whoever opened the PR or posted):
// Reply renders it through the Slack renderer's escaping, and Bound cuts
// it to fixed sizes.
type Item struct {
	ID     string    `json:"id"`    // unique within the source: "acme/web#42", a post URI, a GUID
	Kind   Kind      `json:"kind"`  // pr, issue, ticket, post
	Scope  string    `json:"scope"` // what routes match: "acme/web", "OPS", "@alice.bsky.social"
	Event  string    `json:"event,omitempty"`
	Title  string    `json:"title,omitempty"`
	Text   string    `json:"text,omitempty"` // a post's text
	Link   string    `json:"link,omitempty"`
	Author string    `json:"author,omitempty"`
	Time   time.Time `json:"time"`

	// Pull requests.
	Base      string   `json:"base,omitempty"`
	Head      string   `json:"head,omitempty"`
	Additions int      `json:"additions,omitempty"`
	Deletions int      `json:"deletions,omitempty"`
	Files     int      `json:"files,omitempty"`
	Labels    []string `json:"labels,omitempty"`
	Draft     bool     `json:"draft,omitempty"`

	// Tickets and posts.
	Key      string `json:"key,omitempty"` // ticket key, e.g. OPS-12
	Priority string `json:"priority,omitempty"`
	Reply    bool   `json:"reply,omitempty"`  // a post answering another
	Repost   bool   `json:"repost,omitempty"` // a post shared from another account

	// Baseline: seen when its account or repository was first read;
	// recorded, never posted (a poller sets it for an account added to a
	// source that already had a cursor).
	Baseline bool `json:"-"`
}

// Sizes every item is cut to (runes), whatever the source sent.
const (
	maxID     = 512
	maxTitle  = 200
	maxText   = 500
	maxField  = 100
	maxLink   = 1000
	maxLabels = 10
)

// Bound cuts every field to its size, drops a link that is not http(s) and
// makes text one visible line (titles) or visible lines (post text).
func (it Item) Bound() Item {
	line := func(s string, n int) string { return text.Cut(strings.Join(strings.Fields(text.Visible(s)), " "), n) }
	it.ID = text.CutBytes(it.ID, maxID)
	it.Scope, it.Event = line(it.Scope, maxField), line(it.Event, maxField)
	it.Title, it.Author = line(it.Title, maxTitle), line(it.Author, maxField)
	it.Text = cutText(text.VisibleLines(strings.TrimSpace(it.Text)), maxText)
	it.Base, it.Head = line(it.Base, maxField), line(it.Head, maxField)
	it.Key, it.Priority = line(it.Key, maxField), line(it.Priority, maxField)
	it.Link = safeLink(it.Link)
	if len(it.Labels) > maxLabels {
		it.Labels = it.Labels[:maxLabels]
	}
	for i, l := range it.Labels {
		it.Labels[i] = line(l, maxField)
	}
	return it
}

// cutText cuts s to n runes at the last word boundary, ending in "…".
func cutText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexAny(cut, " \n"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n") + "…"
}

// safeLink keeps an absolute http(s) URL without credentials, else "".
func safeLink(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > maxLink {
		return ""
	}
	return u.String()
}

// Headline is the item's one line: what it is and its title.
func (it Item) Headline() string {
	switch it.Kind {
	case KindPR:
		return fmt.Sprintf("PR %s%s %s: %s", it.Scope, it.Key, it.Event, it.Title)
	case KindIssue:
		return fmt.Sprintf("Issue %s%s %s: %s", it.Scope, it.Key, it.Event, it.Title)
	case KindTicket:
		return fmt.Sprintf("Ticket %s %s: %s", it.Key, it.Event, it.Title)
	}
	if it.Title != "" {
		return fmt.Sprintf("%s: %s", it.Author, it.Title)
	}
	return fmt.Sprintf("%s: %s", it.Author, firstLine(it.Text))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return cutText(l, 120)
}

// Title is the headline of the item's own message: for a post without a
// title, who posted (its text follows in Details).
func (it Item) title() string {
	if it.Kind != KindPost || it.Title != "" {
		return it.Headline()
	}
	if it.Event != "" {
		return it.Author
	}
	return it.Author + " posted"
}

// Details are the lines people act on, under the headline.
func (it Item) Details() []string {
	var out []string
	switch it.Kind {
	case KindPR:
		line := fmt.Sprintf("by %s · %s ← %s", it.Author, it.Base, it.Head)
		if it.Files > 0 {
			line += fmt.Sprintf(" · +%d −%d in %d files", it.Additions, it.Deletions, it.Files)
		}
		out = append(out, line)
		if it.Draft {
			out = append(out, "draft")
		}
	case KindIssue, KindTicket:
		out = append(out, "reported by "+it.Author+priority(it.Priority))
	case KindPost:
		out = append(out, it.Text)
	}
	if len(it.Labels) > 0 {
		out = append(out, "labels: "+strings.Join(it.Labels, ", "))
	}
	return append(out, it.Link)
}

func priority(p string) string {
	if p == "" {
		return ""
	}
	return " · priority " + p
}

// PlainText is the text of an HTML fragment (a Mastodon status, an RSS
// title or summary): tags dropped, entities decoded, <br> and block ends
// as newlines, runs of blank lines folded.
func PlainText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := false // inside <script> or <style>
	for {
		tok := z.Next()
		switch tok {
		case html.ErrorToken:
			return strings.TrimSpace(blankRuns.ReplaceAllString(b.String(), "\n\n"))
		case html.TextToken:
			if !skip {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if n := string(name); n == "script" || n == "style" {
				skip = tok == html.StartTagToken
			} else if breaks[n] {
				b.WriteByte('\n')
			}
		}
	}
}

var (
	breaks    = map[string]bool{"br": true, "p": true, "div": true, "li": true}
	blankRuns = regexp.MustCompile(`\n\s*\n+`)
)
