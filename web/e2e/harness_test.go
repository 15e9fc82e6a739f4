package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/bot/slack/slackfake"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/fastly"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text/texttest"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
	"github.com/opsbot/opsbot/web"
	"github.com/opsbot/opsbot/web/oidctest"
	"github.com/opsbot/opsbot/web/source"
)

// People of the fake Slack (NAME@example.com): alice and bob are
// operators, carol a reader.
var (
	alice = oidctest.Identity{Subject: "sub-alice", Email: "alice@example.com", Verified: true, HD: "example.com"}
	bob   = oidctest.Identity{Subject: "sub-bob", Email: "bob@example.com", Verified: true, HD: "example.com"}
	carol = oidctest.Identity{Subject: "sub-carol", Email: "carol@example.com", Verified: true, HD: "example.com"}
)

const (
	aliceID = "U0ALICE01"
	day     = "2026-11-22"
)

// clock is the stack's manual clock.
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

// stack is opsbot's pages wired as serve wires them.
type stack struct {
	t     testing.TB
	web   *httptest.Server // https
	idp   *oidctest.Provider
	slack *slackfake.Server
	acl   *acl
	clk   *clock
	bot   *bot.Bot
	wired *actions.Wired
	lines []loggen.Line
}

var loadOnce sync.Once

func newStack(t testing.TB) *stack {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "audit_log", "bans")
	st := &stack{t: t, acl: &acl{}, clk: &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}
	o := loggen.Options{Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Lines: 20_000, Seed: 7}
	st.lines = append(loggen.Generate(o), hostileLines()...)
	loadOnce.Do(func() { warehousetest.InsertLines(t, w, st.lines) })
	edgeSrv := httptest.NewServer(st.acl)
	st.slack = slackfake.New()
	st.idp = oidctest.New("opsbot-client", "client-secret")
	st.idp.Now = st.clk.Now
	st.web = httptest.NewUnstartedServer(nil)
	t.Cleanup(func() { st.web.Close(); edgeSrv.Close(); st.slack.Close(); st.idp.Close() })
	base := "https://" + st.web.Listener.Addr().String()

	c := config.Default()
	c.Access.Operators.Users = []string{aliceID, "U0BOB0001"}
	c.Access.Readers.Users = []string{"U0CAROL01"}
	c.Access.Confirm = map[string]string{"ban": config.ConfirmOIDC}
	c.Web.BaseURL, c.Web.OIDC.Issuer, c.Web.OIDC.ClientID, c.Web.OIDC.AllowedDomain = base, st.idp.URL(), "opsbot-client", "example.com"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	engine := query.New(w, query.Options{})
	fst := fastly.New(fastly.Options{Name: "fastly", ServiceID: "svc1", ACLID: "acl1", Token: "fastly-secret", Endpoint: edgeSrv.URL, HTTP: edgeSrv.Client()})
	env := map[string]string{"OPSBOT_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	var err error
	st.wired, err = actions.Wire(context.Background(), actions.Deps{Config: c, Warehouse: w, Edges: []actions.Edge{fst},
		Getenv: func(k string) string { return env[k] }, Now: st.clk.Now,
		ConfirmPage: func(id string) string { return web.ConfirmURL(base, id) },
		Hits: func(ctx context.Context, ip string) (*opsbot.Reply, error) {
			return engine.Ask(ctx, "hits "+ip+" between 2026-11-22 00:00 and 2026-11-23 00:00", st.clk.Now())
		}})
	if err != nil {
		t.Fatal(err)
	}
	st.bot = bot.New(bot.Options{Authorizer: st.wired.Roles, Auditor: st.wired.Audit, Now: st.clk.Now}, st.wired.Skills...)
	pages, err := web.New(context.Background(), web.Options{BaseURL: base, Issuer: c.Web.OIDC.Issuer, ClientID: c.Web.OIDC.ClientID,
		ClientSecret: "client-secret", AllowedDomain: c.Web.OIDC.AllowedDomain, SessionKey: web.NewSessionKey(), Session: c.Web.Session,
		Directory: web.NewSlackDirectory(slackfake.BotToken, st.slack.APIURL(), st.slack.Client()), Roles: st.wired.Roles,
		Confirmations: st.wired.Skill.Confirmations(), Bot: st.bot, Audit: st.wired.Audit, Now: st.clk.Now, Log: slog.New(slog.DiscardHandler),
		Source: source.New(source.Options{Engine: engine, Warehouse: w})})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux() // as serve mounts it, beside /healthz
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	for _, p := range web.Paths {
		mux.Handle(p, pages.Handler())
	}
	st.web.Config.Handler = mux
	st.web.StartTLS()
	return st
}

// hostilePath is a path a client chose: markup, controls, bidi
// overrides, invalid UTF-8, mass mentions.
var hostilePath = "/<img src=x id=xss>" + texttest.Hostile()

// hostileLines are 700 requests for hostilePath answered 404, enough to
// top the day's 4xx paths.
func hostileLines() []loggen.Line {
	out := make([]loggen.Line, 700)
	for i := range out {
		out[i] = loggen.Line{TS: time.Date(2026, 11, 22, 12, 0, i, 0, time.UTC), ClientIP: "198.51.100.66", Method: "GET",
			Host: "www.example.org", Path: hostilePath, Status: 404, BytesOut: 300, TimeTaken: 0.01, UserAgent: "curl/8.0",
			EdgeLocation: "FRA56-P2", ResultType: "Error", Protocol: "https", HTTPVersion: "HTTP/1.1", RequestID: fmt.Sprintf("hostile-%d", i)}
	}
	return out
}

// say sends text as alice in channel C1, as Slack would.
func (st *stack) say(u opsbot.User, text string) *opsbot.Reply {
	return st.bot.Handle(context.Background(), &opsbot.Request{User: u, Channel: "C1", Text: text, Transport: "slack", Now: st.clk.Now()})
}

// confirmURL reads the confirmation page's address from a ban's reply.
func (st *stack) confirmURL(r *opsbot.Reply) string {
	i := strings.Index(r.Text, st.web.URL+"/confirm/")
	if i < 0 {
		st.t.Fatalf("no confirmation link in %q", r.Text)
	}
	u, _, _ := strings.Cut(r.Text[i:], " ")
	return u
}

// audit reads the audit log, oldest first.
func (st *stack) audit() []string {
	res, err := st.wired.Skill.Warehouse().Query(context.Background(),
		"SELECT user_id, allowed, transport, text, result, approval FROM audit_log ORDER BY ts, text", nil)
	if err != nil {
		st.t.Fatal(err)
	}
	var out []string
	for _, r := range res.Rows {
		res, _, _ := strings.Cut(r[4].(string), "\n")
		out = append(out, fmt.Sprintf("%s %v %s %s | %s | %s", r[0], r[1], r[2], r[3], res, r[5]))
	}
	return out
}

// acl is a loopback Fastly ACL (service svc1, ACL acl1), the edge.
type acl struct {
	mu      sync.Mutex
	entries []map[string]any
}

func (a *acl) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.URL.Path != "/service/svc1/acl/acl1/entries" || r.Header.Get("Fastly-Key") != "fastly-secret" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		if r.URL.Query().Get("page") != "1" {
			io.WriteString(w, "[]")
			return
		}
		json.NewEncoder(w).Encode(a.entries)
		return
	}
	var body struct{ Entries []map[string]any }
	json.NewDecoder(r.Body).Decode(&body)
	for _, e := range body.Entries {
		if e["op"] == "create" {
			e["id"] = fmt.Sprint(len(a.entries) + 1)
			delete(e, "op")
			a.entries = append(a.entries, e)
		}
	}
	io.WriteString(w, `{"status":"ok"}`)
}

// ips are the addresses the ACL holds.
func (a *acl) ips() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.entries {
		out = append(out, fmt.Sprint(e["ip"]))
	}
	return out
}
