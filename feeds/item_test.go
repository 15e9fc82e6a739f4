package feeds_test

import (
	"strings"
	"testing"

	"github.com/opsbot/opsbot/feeds"
)

// TestBound: untrusted fields become one visible line of bounded size; a
// link that is not http(s), or carries credentials, is dropped.
func TestBound(t *testing.T) {
	it := feeds.Item{ID: "1", Title: "a\x1b[31mred\x1b[0m\nsecond\u202eline " + strings.Repeat("x", 300),
		Link: "javascript:alert(1)", Author: "eve\u200b"}.Bound()
	if strings.ContainsAny(it.Title, "\x1b\n\u202e") || len([]rune(it.Title)) > 200 || !strings.HasSuffix(it.Title, "…") {
		t.Errorf("title %q", it.Title)
	}
	if it.Link != "" || strings.Contains(it.Author, "\u200b") {
		t.Errorf("link %q author %q", it.Link, it.Author)
	}
	for link, want := range map[string]string{"https://user:pw@example.org/": "", "ftp://example.org/": "", "https://example.org/a?b=c": "https://example.org/a?b=c"} {
		if got := (feeds.Item{Link: link}).Bound().Link; got != want {
			t.Errorf("%s: %q", link, got)
		}
	}
	if got := feeds.PlainText(`<p>1 &lt; 2 &amp;&amp; <b>bold</b><br>next</p><script>x</script>`); got != "1 < 2 && bold\nnext" {
		t.Errorf("plain %q", got)
	}
}
