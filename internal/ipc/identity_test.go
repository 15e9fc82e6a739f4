package ipc_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/query"
)

// recorder is the router's Auditor and a skill with a reader command
// (whoami) and an operator one (page): it keeps what the router audited
// and what each command was handed.
type recorder struct {
	mu      sync.Mutex
	audited []opsbot.AuditEntry
	handed  []opsbot.Request
}

func (r *recorder) Record(_ context.Context, e opsbot.AuditEntry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.audited = append(r.audited, e)
	return nil
}

func (r *recorder) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "whoami", Usage: "whoami", Role: opsbot.RoleReader},
		{Name: "page", Usage: "page SERVICE MESSAGE", Role: opsbot.RoleOperator, Write: true},
	}
}

func (r *recorder) Handle(_ context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handed = append(r.handed, *req)
	return &opsbot.Reply{Title: req.User.ID}, nil
}

func (r *recorder) entries() ([]opsbot.AuditEntry, []opsbot.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]opsbot.AuditEntry(nil), r.audited...), append([]opsbot.Request(nil), r.handed...)
}

// me is the local identity of the OS user running the test.
func me(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return "local:" + u.Username
}

// serveRouter starts an owner whose router knows U0ALICE (and group S0SRE)
// as operators and this OS user's local identity as a reader only; id
// names the peers (nil: ipc.Local).
func serveRouter(t *testing.T, id ipc.Identity) (*recorder, string) {
	rec := &recorder{}
	roles := access.NewRoles(config.Access{
		Readers:   config.Members{Users: []string{me(t)}},
		Operators: config.Members{Users: []string{"U0ALICE"}, Groups: []string{"S0SRE"}},
	})
	b := bot.New(bot.Options{Authorizer: roles, Auditor: rec}, rec)
	path := filepath.Join(t.TempDir(), "opsbot.sock")
	l, err := ipc.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ipc.Serve(ctx, l, query.New(nil, query.Options{}), b, id) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return rec, path
}

// post sends body as is to route on the socket at path, as any process of
// this OS user could.
func post(t *testing.T, path, route, body string) (int, string) {
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
	resp, err := hc.Post("http://opsbot"+route, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestClaimedIdentityIsIgnored is the attack: a reader sends a request
// that claims to be an operator over Slack in 2020, and pages. The router
// must see the reader's local identity over the socket, now, and refuse.
func TestClaimedIdentityIsIgnored(t *testing.T) {
	rec, path := serveRouter(t, nil)
	before := time.Now()
	code, body := post(t, path, "/chat", `{"User":{"id":"U0ALICE","groups":["S0SRE"]},"Transport":"slack","DM":true,"Now":"2020-01-01T00:00:00Z","Channel":"C0OPS","Text":"page web the site is down"}`)
	after := time.Now()
	if code != http.StatusOK || !strings.Contains(body, "needs the operator role") {
		t.Errorf("the attack answered %d %s; want a refusal: needs the operator role", code, body)
	}
	audited, handed := rec.entries()
	if len(handed) != 0 {
		t.Errorf("page ran for a reader who claimed to be an operator: %+v", handed)
	}
	if len(audited) != 1 {
		t.Fatalf("audited %d entries, want 1: %+v", len(audited), audited)
	}
	e := audited[0]
	if e.User.ID != me(t) || len(e.User.Groups) != 0 || e.Transport != "socket" || e.Channel != "" || e.Allowed {
		t.Errorf("audited %+v; want user %s without groups, transport socket, no channel, refused", e, me(t))
	}
	if e.Time.Before(before) || e.Time.After(after) {
		t.Errorf("audited at %s; want the server's clock, between %s and %s", e.Time, before, after)
	}
}

// TestIdentityFromTheConnection: the identity is what the kernel says of
// the connecting process (this test's), whatever the client's request
// claims, and the command runs as a DM over "socket".
func TestIdentityFromTheConnection(t *testing.T) {
	var mu sync.Mutex
	var peers []ipc.Peer
	rec, path := serveRouter(t, func(p ipc.Peer) opsbot.User {
		mu.Lock()
		defer mu.Unlock()
		peers = append(peers, p)
		return ipc.Local(p.UID)
	})
	claim := &opsbot.Request{User: opsbot.User{ID: "U0ALICE", Groups: []string{"S0SRE"}}, Channel: "C0OPS",
		Transport: "slack", Now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Text: "whoami"}
	if r := ipc.Dial(path).Handle(context.Background(), claim); r.Ephemeral || r.Title != me(t) {
		t.Errorf("whoami through the socket answered %+v; want the title %s", r, me(t))
	}
	mu.Lock()
	defer mu.Unlock()
	want := ipc.Peer{PID: os.Getpid(), UID: os.Getuid(), GID: os.Getgid()}
	if len(peers) != 1 || peers[0] != want {
		t.Errorf("peers named %+v; want this process once, %+v", peers, want)
	}
	_, handed := rec.entries()
	if len(handed) != 1 {
		t.Fatalf("whoami ran %d times, want once", len(handed))
	}
	h := handed[0]
	if h.User.ID != me(t) || !h.DM || h.Channel != "" || h.Transport != "socket" || h.Now.Year() == 2020 {
		t.Errorf("whoami was handed %+v; want %s in a DM over socket, now", h, me(t))
	}
}

// TestOversizeRequestIsRefused: a body over 64 KiB is refused, says why,
// and runs nothing.
func TestOversizeRequestIsRefused(t *testing.T) {
	rec, path := serveRouter(t, nil)
	code, body := post(t, path, "/chat", `{"text":"whoami `+strings.Repeat("x", 64<<10)+`"}`)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "over 64 KiB") {
		t.Errorf("an oversize request answered %d %s; want 413, over 64 KiB", code, body)
	}
	if audited, handed := rec.entries(); len(audited)+len(handed) != 0 {
		t.Errorf("an oversize request ran: %+v %+v", audited, handed)
	}
	if code, body := post(t, path, "/chat", `{"text":"whoami"}`); code != http.StatusOK || !strings.Contains(body, me(t)) {
		t.Errorf("a small request after it answered %d %s", code, body)
	}
}
