package actions_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/fastly"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// acl is a loopback Fastly ACL (service svc1, ACL acl1): the edge under
// the write commands in these tests.
type acl struct {
	t       testing.TB
	mu      sync.Mutex
	entries []map[string]any
	next    int
	patches []string
	key     string // the token it accepts ("" = fastly-secret)
	refuse  bool   // refuse deletions with a 403, as a token without delete rights
}

func (a *acl) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.URL.Path != "/service/svc1/acl/acl1/entries" {
		a.t.Errorf("fastly: %s %s", r.Method, r.URL.Path)
	}
	if want := cmp.Or(a.key, "fastly-secret"); r.Header.Get("Fastly-Key") != want {
		w.WriteHeader(401)
		io.WriteString(w, `{"msg":"Provided credentials are missing or invalid"}`)
		return
	}
	if r.Method == http.MethodGet {
		if r.URL.Query().Get("page") != "1" {
			io.WriteString(w, "[]")
			return
		}
		json.NewEncoder(w).Encode(append([]map[string]any{}, a.entries...))
		return
	}
	b, _ := io.ReadAll(r.Body)
	if a.refuse && strings.Contains(string(b), `"op":"delete"`) {
		w.WriteHeader(403)
		io.WriteString(w, `{"msg":"token lacks purge_select"}`)
		return
	}
	a.patches = append(a.patches, string(b))
	var body struct{ Entries []map[string]any }
	json.Unmarshal(b, &body)
	for _, e := range body.Entries {
		if e["op"] == "create" {
			a.next++
			e["id"] = fmt.Sprintf("e%d", a.next)
			delete(e, "op")
			a.entries = append(a.entries, e)
			continue
		}
		for i, have := range a.entries {
			if have["id"] == e["id"] {
				a.entries = append(a.entries[:i], a.entries[i+1:]...)
				break
			}
		}
	}
	io.WriteString(w, `{"status":"ok"}`)
}

func (a *acl) ips() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.entries {
		s := e["ip"].(string)
		if n, ok := e["subnet"].(float64); ok {
			s += fmt.Sprintf("/%d", int(n))
		}
		out = append(out, s)
	}
	return out
}

// poster records what would be posted to Slack.
type poster struct {
	mu   sync.Mutex
	msgs []opsbot.Message
}

func (p *poster) Post(_ context.Context, m opsbot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return fmt.Sprint(len(p.msgs)), nil
}

func (p *poster) titles() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.msgs {
		out = append(out, m.Channel+" "+m.Reply.Title)
	}
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	alice = opsbot.User{ID: "UALICE", Name: "alice"} // operator
	bob   = opsbot.User{ID: "UBOB", Name: "bob"}     // operator
	rob   = opsbot.User{ID: "UROB", Name: "rob"}     // reader
	ana   = opsbot.User{ID: "UANA", Name: "ana"}     // analyst
)

// world is opsbot's write side wired as serve wires it, over the embedded
// engine, a loopback Fastly ACL and a recording Slack poster.
type world struct {
	t      testing.TB
	acl    *acl
	slack  *poster
	clk    *clock
	bot    *bot.Bot
	wired  *actions.Wired
	hits   []string
	config *config.Config
}

func newWorld(t testing.TB, edit func(*config.Config), deps func(*actions.Deps)) *world {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log", "bans", "opsbot_secrets.totp_secrets")
	a := &acl{t: t}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	c := config.Default()
	c.Access.Readers.Users = []string{rob.ID}
	c.Access.Analysts.Users = []string{ana.ID}
	c.Access.Operators.Users = []string{alice.ID, bob.ID}
	c.Edges.Ban.Allow = []string{"192.0.2.0/24"} // "the office"
	if edit != nil {
		edit(c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	wd := &world{t: t, acl: a, slack: &poster{}, clk: &clock{t: time.Date(2026, 11, 24, 5, 0, 7, 0, time.UTC)}, config: c}
	fst := fastly.New(fastly.Options{Name: "fastly", ServiceID: "svc1", ACLID: "acl1", Token: "fastly-secret", Endpoint: srv.URL, HTTP: srv.Client()})
	env := map[string]string{"OPSBOT_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	d := actions.Deps{Config: c, Warehouse: w, Poster: wd.slack, Edges: []actions.Edge{fst}, Getenv: func(k string) string { return env[k] }, Now: wd.clk.Now,
		Hits: func(_ context.Context, ip string) (*opsbot.Reply, error) {
			wd.hits = append(wd.hits, ip)
			return &opsbot.Reply{Title: "hits " + ip + " last 24h: 4210 requests, 97% to /donate"}, nil
		}}
	if deps != nil {
		deps(&d)
	}
	wired, err := actions.Wire(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	wd.wired = wired
	wd.bot = bot.New(bot.Options{Authorizer: wired.Roles, Auditor: wired.Audit, Now: wd.clk.Now}, wired.Skills...)
	return wd
}

// say sends text as u in channel C1 (dm: in a direct message), a second
// after the previous message.
func (wd *world) say(u opsbot.User, text string, dm bool) *opsbot.Reply {
	wd.clk.Add(time.Second)
	ch := "C1"
	if dm {
		ch = "D1"
	}
	return wd.bot.Handle(context.Background(), &opsbot.Request{User: u, Channel: ch, DM: dm, Text: text, Transport: "slack", Now: wd.clk.Now()})
}

// enroll enrols u in a Slack DM and returns the secret: the answer is
// ephemeral and carries no file.
func (wd *world) enroll(u opsbot.User) string {
	r := wd.say(u, "2fa enroll", true)
	if len(r.Files) != 0 || !r.Ephemeral || !strings.Contains(r.Text, "otpauth://") {
		wd.t.Fatalf("enroll: %+v", r)
	}
	i := strings.Index(r.Text, "otpauth://")
	raw := r.Text[i:]
	raw = raw[:strings.IndexByte(raw, '`')]
	parsed, err := url.Parse(raw)
	if err != nil {
		wd.t.Fatal(err)
	}
	return parsed.Query().Get("secret")
}

func code(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// confirmID reads the confirmation ID from a prompt's Cancel button.
func confirmID(t *testing.T, r *opsbot.Reply) string {
	t.Helper()
	for _, b := range r.Buttons {
		if id, ok := strings.CutPrefix(b.Command, "cancel "); ok {
			return id
		}
	}
	t.Fatalf("no confirmation in %+v", r)
	return ""
}

// audit reads the audit log, oldest first, as "user allowed action | result | approval".
func (wd *world) audit() []string {
	res, err := wd.wired.Skill.Warehouse().Query(context.Background(),
		"SELECT user_id, allowed, text, action, result, approval FROM audit_log ORDER BY ts, text", nil)
	if err != nil {
		wd.t.Fatal(err)
	}
	var out []string
	for _, r := range res.Rows {
		out = append(out, fmt.Sprintf("%s %v %s | %s | %s | %s", r[0], r[1], r[2], r[3], firstLine(r[4].(string)), r[5]))
	}
	return out
}

func firstLine(s string) string { s, _, _ = strings.Cut(s, "\n"); return s }

// rows are r's table rows; no table fails the test.
func rows(t *testing.T, r *opsbot.Reply) [][]any {
	t.Helper()
	if r.Table == nil {
		t.Fatalf("no table in %+v", r)
	}
	return r.Table.Rows
}
