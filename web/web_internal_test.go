package web

import (
	"reflect"
	"testing"
)

// TestLocalPathStaysOnTheSite: the return path after sign-in is never
// another site (an open redirect).
func TestLocalPathStaysOnTheSite(t *testing.T) {
	for in, want := range map[string]string{
		"/confirm/ABC234": "/confirm/ABC234", "/ask?q=top+4xx": "/ask?q=top+4xx", "": "/",
		"https://evil.example": "/", "//evil.example/x": "/", "/\\evil.example": "/", "/x\r\nSet-Cookie: a=b": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBlocksReadChatMarkup: fences are preformatted, *bold* and _italic_
// lines are kept as spans, controls are escaped.
func TestBlocksReadChatMarkup(t *testing.T) {
	got := blocks("*Requests* 20 · *visitors* 4\n```\nip   n\n1.2.3.4 5\n```\n_none_\nbell\x07")
	want := []block{
		{Spans: []span{{Bold: true, Text: "Requests"}, {Text: " 20 · "}, {Bold: true, Text: "visitors"}, {Text: " 4"}}},
		{Pre: true, Text: "ip   n\n1.2.3.4 5"},
		{Spans: []span{{Italic: true, Text: "none"}}},
		{Spans: []span{{Text: `bell\x07`}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
