package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/internal/text/texttest"
	"github.com/opsbot/opsbot/web"
	"github.com/opsbot/opsbot/web/oidctest"
)

// browser starts headless Chromium (Debian's chromium, or
// $OPSBOT_CHROMIUM) with a fresh profile; without it the test is skipped,
// saying why.
func browser(t *testing.T) context.Context {
	path := os.Getenv("OPSBOT_CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Skip("chromium is not installed (apt-get install chromium, or set OPSBOT_CHROMIUM): no browser test")
		}
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors", true), // the pages' loopback test certificate
		chromedp.WindowSize(1440, 1000)}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(cancelB)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab is a new window with its own cookies (a person of their own).
func tab(t *testing.T, b context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	return ctx
}

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs a and returns its value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// shot saves the page as name in the test's artifact folder.
func shot(t *testing.T, ctx context.Context, name string) {
	png := get(t, ctx, chromedp.FullScreenshot(100))
	p := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

// textOf is the text of the element sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	wait, cancel := context.WithTimeout(ctx, 20*time.Second) // a failsafe: the page is loaded by then or never
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(css(sel))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(css("body")))
		t.Fatalf("waiting for %s: %v; the page:\n%s", sel, err, html)
	}
	return get(t, ctx, chromedp.Text(css(sel)))
}

// TestBrowserReportAnswerAndBan: alice signs in, reads the daily report
// and a warning's dig page (table, chart, SQL, CSV link), then confirms a
// ban from chat on its page, and the edge holds it.
func TestBrowserReportAnswerAndBan(t *testing.T) {
	st := newStack(t)
	b := browser(t)
	ctx := tab(t, b)
	st.idp.SignInAs(alice)

	run(t, ctx, chromedp.Navigate(st.web.URL+"/reports/daily/"+day))
	if got := textOf(t, ctx, "#title"); !strings.HasPrefix(got, "Daily log analysis: Sun 22 Nov 2026") {
		t.Errorf("report title %q", got)
	}
	chartW := get(t, ctx, chromedp.Evaluate[float64](`document.querySelector('#chart').naturalWidth`))
	if chartW < 600 {
		t.Errorf("the report's chart is %v px wide", chartW)
	}
	if got := textOf(t, ctx, "body"); !strings.Contains(got, "Top 4xx clients") || !strings.Contains(got, "signed in as") {
		t.Errorf("report page:\n%s", got)
	}
	body := textOf(t, ctx, "body")
	if want := "Requests " + text.Value(uint64(len(st.lines))); !strings.Contains(body, want) {
		t.Errorf("report lacks %q", want)
	}
	// The hostile path shows as text: no element made of it, no raw control.
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#xss').length`)); n != 0 {
		t.Errorf("a log field became %d element(s)", n)
	}
	if !strings.Contains(body, "/<img src=x id=xss>/ctl\\x00") || texttest.Hidden(body) >= 0 {
		t.Errorf("the hostile path is not shown escaped in:\n%s", body)
	}
	shot(t, ctx, "report.png")

	dig := web.AskURL(st.web.URL, "graph 5xx between 2026-11-22 00:00 and 2026-11-23 00:00")
	run(t, ctx, chromedp.Navigate(dig))
	run(t, ctx, chromedp.WaitVisible(css("#chart")))
	if got := textOf(t, ctx, "#command"); !strings.HasPrefix(got, "clickhouse-client --param_") {
		t.Errorf("command %q", got)
	}
	shot(t, ctx, "graph.png")
	run(t, ctx, chromedp.Navigate(web.AskURL(st.web.URL, "top 4xx by ip between 2026-11-22 00:00 and 2026-11-23 00:00")))
	run(t, ctx, chromedp.WaitVisible(css("#answer")))
	rows := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#answer tbody tr').length`))
	ip, n := top4xxClient(st)
	first := get(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#answer tbody tr')[0].cells].map(c => c.textContent)`))
	if rows != 10 || len(first) < 2 || first[0] != ip || first[1] != text.Value(uint64(n)) {
		t.Errorf("%d rows, first %q; want 10, %s with %d", rows, first, ip, n)
	}
	if got := textOf(t, ctx, "#csv"); got != "Download CSV" {
		t.Errorf("csv link %q", got)
	}
	shot(t, ctx, "answer.png")

	r := st.say(aliceU, "ban 104.2.1.1 for 24h scraping /blargh")
	run(t, ctx, chromedp.Navigate(st.confirmURL(r)))
	if got := textOf(t, ctx, "#facts"); !strings.Contains(got, "104.2.1.1/32") || !strings.Contains(got, "fastly") {
		t.Errorf("facts %q", got)
	}
	requests := get(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#record tr')].find(r => r.cells[0].textContent === 'requests').cells[1].textContent`))
	if want := text.Value(uint64(count(st, func(l loggen.Line) bool { return l.ClientIP == "104.2.1.1" }))); requests != want {
		t.Errorf("hits shows %s requests, want %s", requests, want)
	}
	shot(t, ctx, "confirm.png")
	run(t, ctx, chromedp.Click(css("#confirm")))
	if got := textOf(t, ctx, "#outcome"); !strings.Contains(got, "Done: ban 104.2.1.1/32") {
		t.Errorf("outcome %q", got)
	}
	if ips := st.acl.ips(); !slices.Equal(ips, []string{"104.2.1.1"}) {
		t.Errorf("edge holds %v", ips)
	}
	// Back and submit again: the confirmation is used.
	run(t, ctx, chromedp.NavigateBack())
	run(t, ctx, chromedp.WaitVisible(css("body")))
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "No open confirmation") && !strings.Contains(got, "already used") {
		t.Errorf("the used confirmation's page: %q", got)
	}
}

// top4xxClient is the client with the most 4xx answers, counted from
// the raw lines.
func top4xxClient(st *stack) (string, int) {
	by := map[string]int{}
	for _, l := range st.lines {
		if l.Status >= 400 && l.Status < 500 {
			by[l.ClientIP]++
		}
	}
	ip, n := "", 0
	for k, v := range by {
		if v > n || v == n && k < ip {
			ip, n = k, v
		}
	}
	return ip, n
}

func count(st *stack, f func(loggen.Line) bool) int {
	n := 0
	for _, l := range st.lines {
		if f(l) {
			n++
		}
	}
	return n
}

// TestBrowserRefusals: in the browser too, a form without its CSRF
// token, another person's confirmation, a reader on a confirmation and a
// forged ID token are refused.
func TestBrowserRefusals(t *testing.T) {
	st := newStack(t)
	b := browser(t)
	link := st.confirmURL(st.say(aliceU, "ban 203.0.113.20"))

	ctx := tab(t, b)
	st.idp.SignInAs(alice)
	run(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(css("#confirm")))
	get(t, ctx, chromedp.Evaluate[any](`document.querySelector('form[action^="/confirm/"] input[name=csrf]').remove()`)) // DevTools is not bound by the CSP
	run(t, ctx, chromedp.Click(css("#confirm")))
	if got := textOf(t, ctx, "#error"); !strings.Contains(got, "CSRF token is missing") {
		t.Errorf("without csrf: %q", got)
	}
	cases := []struct {
		name string
		id   oidctest.Identity
		want string
	}{
		{"bob", bob, "Only U0ALICE01 (alice), who asked, can confirm"},
		{"carol", carol, "this page needs the operator role"},
		{"forged", oidctest.Identity{Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", OtherKey: true}, "the ID token is not valid"},
		{"audience", oidctest.Identity{Subject: "x", Email: alice.Email, Verified: true, HD: "example.com", Audience: "another"}, "the ID token is not valid"},
	}
	for _, c := range cases {
		ctx := tab(t, b)
		st.idp.SignInAs(c.id)
		run(t, ctx, chromedp.Navigate(link))
		if got := textOf(t, ctx, "#error"); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{st.web.URL}})
		if err != nil {
			t.Fatal(err)
		}
		if c.name == "forged" || c.name == "audience" {
			for _, ck := range cookies.Cookies {
				if ck.Name == "opsbot_session" {
					t.Errorf("%s: a session cookie was set", c.name)
				}
			}
		}
		if c.name == "bob" {
			shot(t, ctx, "refused.png")
		}
	}
	if len(st.acl.ips()) != 0 {
		t.Errorf("a refused confirmation reached the edge: %v", st.acl.ips())
	}
}
