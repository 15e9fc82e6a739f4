package infratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// GitHub is a loopback GitHub REST API serving organization members
// without 2FA.
type GitHub struct {
	URL   string
	Token string // the bearer token it accepts

	srv      *httptest.Server
	mu       sync.Mutex
	orgs     map[string][]string // org → logins with 2FA disabled
	pageSize int
	faults   []*HTTPFault
	calls    []*http.Request
	activity map[string]Activity // org → what the statistics read (github_activity.go)
}

// HTTPFault makes Times requests (-1: all) fail with Status, Message and
// extra headers (Retry-After, X-RateLimit-Remaining).
type HTTPFault struct {
	Status  int
	Message string
	Header  map[string]string
	Times   int
	After   int // requests served before the fault starts
}

// NewGitHub serves orgs (org → logins without 2FA) with pageSize members a
// page at most (0: as asked, up to 100).
func NewGitHub(token string, orgs map[string][]string, pageSize int) *GitHub {
	g := &GitHub{Token: token, orgs: orgs, pageSize: pageSize}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	g.URL = g.srv.URL
	return g
}

// Close stops the server.
func (g *GitHub) Close() { g.srv.Close() }

// Fail adds a fault.
func (g *GitHub) Fail(f HTTPFault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = append(g.faults, &f)
}

// Requests are the requests received, faulted ones included.
func (g *GitHub) Requests() []*http.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*http.Request(nil), g.calls...)
}

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, r)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f := g.fault(); f != nil {
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		ghError(w, f.Status, f.Message)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
		ghError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if g.activity != nil && g.serveActivity(w, r) {
		return
	}
	if msg := badRequest(r); msg != "" {
		ghError(w, http.StatusBadRequest, msg)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != "orgs" || parts[2] != "members" || g.orgs[parts[1]] == nil {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	g.members(w, r, parts[1])
}

func (g *GitHub) fault() *HTTPFault {
	for _, f := range g.faults {
		if f.Times != 0 && len(g.calls) > f.After {
			if f.Times > 0 {
				f.Times--
			}
			return f
		}
	}
	return nil
}

// badRequest checks what GitHub documents for this endpoint.
func badRequest(r *http.Request) string {
	switch {
	case r.Method != http.MethodGet:
		return "method " + r.Method
	case r.Header.Get("Accept") != "application/vnd.github+json":
		return "Accept must be application/vnd.github+json"
	case r.Header.Get("X-GitHub-Api-Version") != "2022-11-28":
		return "X-GitHub-Api-Version must be 2022-11-28"
	case r.URL.Query().Get("filter") != "2fa_disabled":
		return "this fake only lists members with filter=2fa_disabled"
	}
	return ""
}

func (g *GitHub) members(w http.ResponseWriter, r *http.Request, org string) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per < 1 || per > 100 {
		per = 30 // GitHub's default
	}
	if g.pageSize > 0 && g.pageSize < per {
		per = g.pageSize
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	logins := g.orgs[org]
	from, to := min((page-1)*per, len(logins)), min(page*per, len(logins))
	type user struct {
		Login   string `json:"login"`
		ID      int64  `json:"id"`
		Type    string `json:"type"`
		HTMLURL string `json:"html_url"`
		Admin   bool   `json:"site_admin"`
	}
	out := []user{}
	for i, l := range logins[from:to] {
		out = append(out, user{l, int64(1000 + from + i), "User", "https://github.com/" + l, false})
	}
	last := max((len(logins)+per-1)/per, 1)
	if page < last {
		link := func(p int) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
			v := url.Values{"filter": {"2fa_disabled"}, "per_page": {strconv.Itoa(per)}, "page": {strconv.Itoa(p)}}
			u.RawQuery = v.Encode()
			return u.String()
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, link(page+1), link(last)))
	}
	_ = json.NewEncoder(w).Encode(out)
}

func ghError(w http.ResponseWriter, status int, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg,
		"documentation_url": "https://docs.github.com/rest/orgs/members#list-organization-members"})
}

// SetOrg replaces an organization's members without 2FA.
func (g *GitHub) SetOrg(org string, logins []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if logins == nil {
		logins = []string{}
	}
	g.orgs[org] = logins
}
