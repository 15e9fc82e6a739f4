// Package slackfake is a Slack on loopback for tests and benchmarks: the Web
// API methods opsbot calls (form-encoded, with Bearer tokens, Slack's JSON
// answers and errors, 429 with Retry-After), the files upload v2 flow,
// response URLs, and Socket Mode (apps.connections.open and a websocket
// that sends hello, envelopes and pings, takes acks, and redelivers
// unacknowledged envelopes on reconnection, like Slack). The Web API lives
// under /api/ (NewAt mounts it elsewhere, like a proxy or GovSlack's
// host); uploads go to a second server, as Slack's upload URLs name
// another host. Every HTTP request to either is kept (Hits).
package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Tokens the fake accepts.
const (
	BotToken = "xoxb-test-token"
	AppToken = "xapp-test-token"
	BotID    = "UBOT"
)

// The workspace and app of the fake's tokens; the payloads it builds name
// them (see Retag for others).
const (
	TeamID = "T0TEAM001"
	AppID  = "A0APP0001"
)

// BlocksTooLong is where the fake, like Slack, rejects a message with
// msg_blocks_too_long: the total characters of its blocks' text.
const BlocksTooLong = 13000

// Call is one request the fake received.
type Call struct {
	Method string     // "chat.postMessage", "upload", "response" …
	Form   url.Values // form fields (token removed)
	JSON   []byte     // JSON body (response URLs)
	Body   []byte     // uploaded file bytes
	At     time.Time  // wall time received (for the benchmark)
	TS     string     // ts given to a posted message
}

// Channel is a channel the fake knows.
type Channel struct{ ID, Name string }

// Hit is one HTTP request the fake received, on any path of either server.
type Hit struct {
	Host string // host:port it was sent to
	Path string
}

// Server is the fake Slack.
type Server struct {
	*httptest.Server
	uploads *httptest.Server // where upload URLs point: another host
	apiPath string           // where the Web API lives: "/api/"

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	calls    []Call
	hits     []Hit
	limits   map[string][]int // method → Retry-After seconds of the next 429s
	channels []Channel
	users    map[string]string
	ts       int
	files    int
	sock     *socket
	outside  map[string]bool // channels the bot is not in
	noDM     map[string]bool // users conversations.open refuses

	enterprise string // the Grid org auth.test names; "" outside one
}

// InGrid puts the workspace in an Enterprise Grid org: auth.test names it
// (payloads carry it only through Retag).
func (s *Server) InGrid(enterprise string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enterprise = enterprise
}

// NotIn makes channel one the bot is not a member of: chat.postMessage
// there answers not_in_channel, as Slack does.
func (s *Server) NotIn(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outside[channel] = true
}

// NoDM makes conversations.open refuse a DM with user (user_not_visible,
// as Slack answers for a user of another org through Slack Connect).
func (s *Server) NoDM(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noDM[user] = true
}

// New starts a fake Slack on loopback, its Web API under /api/.
func New() *Server { return NewAt("/api/") }

// NewAt starts a fake Slack whose Web API lives under apiPath (such as
// "/custom/api/") and nowhere else: a call to /api/ is answered 404.
func NewAt(apiPath string) *Server {
	s := &Server{
		apiPath: apiPath,
		changed: make(chan struct{}), limits: map[string][]int{}, outside: map[string]bool{}, noDM: map[string]bool{},
		channels: []Channel{{"C0ALERTS1", "tech-alerts"}, {"C0AUDITS1", "tech-audits"}, {"C0OPS0001", "ops"}},
		users:    map[string]string{"U0ALICE01": "alice", "U0BOB0001": "bob", "U0CAROL01": "carol"},
	}
	s.sock = newSocket(s)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.uploads = httptest.NewServer(http.HandlerFunc(s.serveUpload))
	return s
}

// Close shuts both servers down.
func (s *Server) Close() {
	s.Server.Close()
	s.uploads.Close()
}

// APIURL is the Web API base URL, for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.URL + s.apiPath }

// UploadHost is the host:port of the upload URLs files.getUploadURLExternal
// hands out.
func (s *Server) UploadHost() string { return s.uploads.Listener.Addr().String() }

// Hits returns every HTTP request received so far, in order.
func (s *Server) Hits() []Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Hit(nil), s.hits...)
}

func (s *Server) hit(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = append(s.hits, Hit{Host: r.Host, Path: r.URL.Path})
}

// RateLimit makes the next len(retryAfter) calls of method answer 429 with
// these Retry-After values (seconds).
func (s *Server) RateLimit(method string, retryAfter ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = append(s.limits[method], retryAfter...)
}

// Calls returns the calls of method received so far ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Wait blocks until cond holds over the calls, or ctx ends.
func (s *Server) Wait(ctx context.Context, cond func(calls []Call) bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(append([]Call(nil), s.calls...)), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slackfake: waiting: %w", ctx.Err())
		}
	}
}

// WaitCalls blocks until n calls of method arrived and returns them.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	err := s.Wait(ctx, func(cs []Call) bool { return count(cs, method) >= n })
	return s.Calls(method), err
}

func count(cs []Call, method string) int {
	n := 0
	for _, c := range cs {
		if c.Method == method {
			n++
		}
	}
	return n
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.At = time.Now()
	s.calls = append(s.calls, c)
	s.notifyLocked()
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// limited pops the next 429 for method, if any.
func (s *Server) limited(method string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limits[method]
	if len(l) == 0 {
		return 0, false
	}
	s.limits[method] = l[1:]
	return l[0], true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.hit(r)
	switch {
	case strings.HasPrefix(r.URL.Path, s.apiPath):
		s.api(w, r, strings.TrimPrefix(r.URL.Path, s.apiPath))
	case strings.HasPrefix(r.URL.Path, "/response/"):
		body, _ := io.ReadAll(r.Body)
		s.record(Call{Method: "response", JSON: body, Form: url.Values{"url": {r.URL.Path}}})
	case r.URL.Path == "/link":
		s.sock.serveWS(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) api(w http.ResponseWriter, r *http.Request, method string) {
	if err := r.ParseForm(); err != nil {
		reply(w, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.PostForm.Get("token")
	}
	want := BotToken
	if method == "apps.connections.open" {
		want = AppToken
	}
	if token != want {
		reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	if after, ok := s.limited(method); ok {
		s.record(Call{Method: method + " 429"})
		w.Header().Set("Retry-After", fmt.Sprint(after))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	form := r.PostForm
	form.Del("token")
	s.method(w, method, form)
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serveUpload is the upload host: it takes the files of upload URLs.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	s.hit(r)
	if !strings.HasPrefix(r.URL.Path, "/upload/") {
		http.NotFound(w, r)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(file)
	// Upload URLs need no token (Slack's documentation); one sent is kept.
	form := url.Values{"id": {strings.TrimPrefix(r.URL.Path, "/upload/")}, "filename": {hdr.Filename}, "authorization": {r.Header.Get("Authorization")}}
	s.record(Call{Method: "upload", Body: body, Form: form})
	fmt.Fprintf(w, "OK - %d", len(body))
}

// ResponseURL is a response URL on the fake, for slash commands and buttons.
func (s *Server) ResponseURL(id string) string { return s.URL + "/response/" + id }
