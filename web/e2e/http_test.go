package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/web/oidctest"
)

// person is one browser-like client: its own cookies, following
// redirects through the provider and back.
type person struct {
	t  *testing.T
	st *stack
	c  *http.Client
}

func (st *stack) person(t *testing.T) *person {
	jar, _ := cookiejar.New(nil)
	c := st.web.Client()
	c.Jar = jar
	return &person{t: t, st: st, c: c}
}

// signIn signs in as id by opening path; it returns the final page.
func (st *stack) signIn(t *testing.T, id oidctest.Identity, path string) (*person, int, string) {
	p := st.person(t)
	st.idp.SignInAs(id)
	code, body := p.get(path)
	return p, code, body
}

func (p *person) get(path string) (int, string) {
	r, err := p.c.Get(p.st.web.URL + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

func (p *person) post(path string, form url.Values) (int, string) {
	r, err := p.c.PostForm(p.st.web.URL+path, form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

// csrf reads the form's token from a page.
func csrf(t *testing.T, page string) string {
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		t.Fatalf("no csrf field in %s", page)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

var aliceU = opsbot.User{ID: aliceID, Name: "alice"}

// TestSignInChecksTheIDToken: a token the provider did not sign, an
// expired one, one for another client or from another issuer, an email
// the provider does not vouch for, another Google domain and an email no
// Slack user has are all refused, and none leaves a session.
func TestSignInChecksTheIDToken(t *testing.T) {
	st := newStack(t)
	cases := map[string]oidctest.Identity{
		"forged":         {Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", OtherKey: true},
		"expired":        {Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", Expired: true},
		"wrong audience": {Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", Audience: "another-client"},
		"wrong issuer":   {Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", Issuer: "https://accounts.example.net"},
		"unverified":     {Subject: "x", Email: alice.Email, Verified: false, HD: "example.com"},
		"other domain":   {Subject: "x", Email: "alice@example.org", Verified: true, HD: "example.org"},
		"not in slack":   {Subject: "x", Email: "dave@example.com", Verified: true, HD: "example.com"},
	}
	for name, id := range cases {
		t.Run(name, func(t *testing.T) {
			p, code, body := st.signIn(t, id, "/reports/daily/"+day)
			if code != http.StatusForbidden || !strings.Contains(body, "Sign-in refused") {
				t.Fatalf("%d %s", code, body)
			}
			if code, _ := p.get("/ask?q=status+last+hour"); code != http.StatusForbidden {
				t.Errorf("after a refused sign-in, a page answered %d", code)
			}
		})
	}
	all := st.idp.Authorizations()
	a := all[len(all)-1]
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if a.Get(k) == "" {
			t.Errorf("authorization request without %s: %v", k, a)
		}
	}
	if a.Get("code_challenge_method") != "S256" || a.Get("hd") != "example.com" || a.Get("redirect_uri") != st.web.URL+"/auth/callback" {
		t.Errorf("authorization request %v", a)
	}
}

// TestCallbackNeedsItsState: a callback whose state is not the login's
// (a forged link) is refused before any code is exchanged.
func TestCallbackNeedsItsState(t *testing.T) {
	st := newStack(t)
	p := st.person(t)
	p.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	code, _ := p.get("/auth/login?next=/ask")
	if code != http.StatusFound {
		t.Fatalf("login: %d", code)
	}
	if code, body := p.get("/auth/callback?code=abc&state=forged"); code != http.StatusBadRequest || !strings.Contains(body, "state does not match") {
		t.Errorf("forged state: %d %s", code, body)
	}
}

// TestConfirmOnThePage: the ban waits for its page; only alice, who
// asked, confirms it, with the form's CSRF token, once, within its
// lifetime; the edge gets it and the audit log says how.
func TestConfirmOnThePage(t *testing.T) {
	st := newStack(t)
	r := st.say(aliceU, "ban 203.0.113.9 for 24h scraping")
	link := st.confirmURL(r)
	path := strings.TrimPrefix(link, st.web.URL)
	id := path[len("/confirm/"):]
	if got := st.say(aliceU, "confirm "+id); !got.Ephemeral || !strings.Contains(got.Text, "web page") {
		t.Errorf("confirm typed in chat: %+v", got)
	}

	bobP, code, body := st.signIn(t, bob, path)
	if code != http.StatusForbidden || !strings.Contains(body, "Only U0ALICE01 (alice), who asked, can confirm") {
		t.Errorf("bob opens alice's confirmation: %d %s", code, body)
	}
	_, page := bobP.get("/reports/daily/" + day)
	if code, body := bobP.post(path, url.Values{"csrf": {csrf(t, page)}}); code != http.StatusForbidden || !strings.Contains(body, "only U0ALICE01 (alice), who asked, can confirm") {
		t.Errorf("bob posts alice's confirmation: %d %s", code, body)
	}
	carolP, code, body := st.signIn(t, carol, path)
	if code != http.StatusForbidden || !strings.Contains(body, "needs the operator role") {
		t.Errorf("a reader opens a confirmation: %d %s", code, body)
	}
	if code, _ := carolP.get("/reports/daily/" + day); code != http.StatusOK {
		t.Errorf("a reader reads a report: %d", code)
	}

	p, code, page := st.signIn(t, alice, path)
	for _, want := range []string{"203.0.113.9/32", "fastly", "2026-11-24 09:00Z", "scraping", `id="confirm"`} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("confirmation page lacks %q: %d %s", want, code, page)
		}
	}
	if code, body := p.post(path, url.Values{}); code != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("post without csrf: %d %s", code, body)
	}
	if code, body := p.post(path, url.Values{"csrf": {"forged"}}); code != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("post with a wrong csrf: %d %s", code, body)
	}
	if len(st.acl.ips()) != 0 {
		t.Fatalf("refused confirmations reached the edge: %v", st.acl.ips())
	}
	code, body = p.post(path, url.Values{"csrf": {csrf(t, page)}})
	if code != http.StatusOK || !strings.Contains(body, "Done: ban 203.0.113.9/32 for 1d: scraping at fastly") {
		t.Fatalf("confirm: %d %s", code, body)
	}
	if ips := st.acl.ips(); !slices.Equal(ips, []string{"203.0.113.9"}) {
		t.Errorf("edge holds %v", ips)
	}
	if code, body := p.post(path, url.Values{"csrf": {csrf(t, page)}}); code != http.StatusForbidden || !strings.Contains(body, "already used") {
		t.Errorf("replayed: %d %s", code, body)
	}
	audit := strings.Join(st.audit(), "\n")
	for _, want := range []string{"U0ALICE01 true web confirm " + id + " | ok | oidc as alice@example.com",
		"U0BOB0001 false web GET " + path + " | refused: 403 Forbidden | signed in as bob@example.com",
		"U0BOB0001 false web confirm " + id + " | refused: not your confirmation: only U0ALICE01 (alice), who asked, can confirm",
		"U0CAROL01 false web GET " + path + " | refused: needs operator, has reader | signed in as carol@example.com",
		"U0CAROL01 true web GET /reports/daily/" + day + " | ok | signed in as carol@example.com"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q in\n%s", want, audit)
		}
	}
	if false {
		t.Errorf("audit:\n%s", audit)
	}

	r = st.say(aliceU, "ban 203.0.113.10")
	path = strings.TrimPrefix(st.confirmURL(r), st.web.URL)
	_, page = p.get(path)
	st.clk.Add(5*time.Minute + time.Second)
	if code, body := p.post(path, url.Values{"csrf": {csrf(t, page)}}); code != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Errorf("expired: %d %s", code, body)
	}
	if code, body := p.get(path); code != http.StatusNotFound || !strings.Contains(body, "No open confirmation") {
		t.Errorf("expired page: %d %s", code, body)
	}
	st.clk.Add(30 * time.Minute)
	p.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if code, _ := p.get("/reports/daily/" + day); code != http.StatusFound {
		t.Errorf("after the session's 30 minutes: %d, want a redirect to sign in", code)
	}
}

// TestPagesSendStrictHeaders: every answer carries the CSP and friends;
// the session cookie is HttpOnly, Secure and SameSite=Lax.
func TestPagesSendStrictHeaders(t *testing.T) {
	st := newStack(t)
	st.idp.SignInAs(alice)
	p := st.person(t)
	r, err := p.c.Get(st.web.URL + "/ask?q=status+last+hour")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	var set string
	for _, v := range r.Request.Response.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "opsbot_session=") {
			set = v
		}
	}
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Max-Age=1800"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}
}
