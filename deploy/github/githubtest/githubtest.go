// Package githubtest is a loopback GitHub REST API for tests of deploys:
// one repository with a linear history, one workflow with a
// workflow_dispatch trigger, its runs and their jobs, speaking the shapes
// GitHub documents (docs.github.com/rest: actions/workflows "Create a
// workflow dispatch event" → 204; workflow-runs "List workflow runs for a
// workflow", "Get a workflow run"; workflow-jobs "List jobs for a workflow
// run"; commits "Compare two commits", "Get a commit" with the sha media
// type; repos "Get a repository"). It fails the test on any other request,
// on a missing or wrong token, or on a missing API version header.
package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the token the server accepts.
const Token = "ghp_test_token"

// Web is the base of the html_url links it returns.
const Web = "https://github.example"

// Job is one job of a run.
type Job struct {
	Name, Status, Conclusion string
}

// Run is one workflow run.
type Run struct {
	ID                 int64
	Title              string // display_title
	Status, Conclusion string
	Created            time.Time
	Jobs               []Job
	Inputs             map[string]any // of the dispatch that made it
	WorkflowRef        string
}

// Dispatch is a workflow_dispatch request received.
type Dispatch struct {
	Ref    string         `json:"ref"`
	Inputs map[string]any `json:"inputs"`
}

type commit struct{ sha, message, author string }

// Server is the loopback API of acme/api and its workflow deploy.yml.
type Server struct {
	*httptest.Server
	t   testing.TB
	now func() time.Time

	mu         sync.Mutex
	commits    []commit
	refs       map[string]int // ref → index in commits
	runs       []*Run
	dispatches []Dispatch
	noRuns     bool
	requests   []string
}

// New starts the server for acme/api and deploy.yml; runs are created at
// now().
func New(t testing.TB, now func() time.Time) *Server {
	s := &Server{t: t, now: now, refs: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the base URL to configure (deploys.github.base_url).
func (s *Server) APIURL() string { return s.URL + "/" }

// Commit adds a commit to the history and points refs (and main) at it;
// it returns its SHA.
func (s *Server) Commit(message, author string, refs ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := sha1.Sum([]byte(fmt.Sprint(len(s.commits), message)))
	c := commit{sha: hex.EncodeToString(h[:]), message: message, author: author}
	s.commits = append(s.commits, c)
	for _, r := range append(refs, "main", c.sha) {
		s.refs[r] = len(s.commits) - 1
	}
	return c.sha
}

// HideRuns makes dispatches accepted (204) but their runs never listed.
func (s *Server) HideRuns() { s.mu.Lock(); s.noRuns = true; s.mu.Unlock() }

// Set changes run id's status, conclusion and jobs.
func (s *Server) Set(id int64, status, conclusion string, jobs ...Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		if r.ID == id {
			r.Status, r.Conclusion, r.Jobs = status, conclusion, jobs
			return
		}
	}
	s.t.Errorf("githubtest: no run %d", id)
}

// AddRun adds a run nobody dispatched through opsbot (someone else's).
func (s *Server) AddRun(title string, created time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &Run{ID: int64(1001 + len(s.runs)), Title: title, Status: "queued", Created: created}
	s.runs = append(s.runs, r)
	return r.ID
}

// Dispatches are the dispatch requests received.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.dispatches...)
}

// Runs are the runs, oldest first (copies).
func (s *Server) Runs() []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Run
	for _, r := range s.runs {
		out = append(out, *r)
	}
	return out
}

// Requests are "METHOD PATH?QUERY" of every request, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// RunURL and JobURL are the html_url links of a run and its i-th job.
func RunURL(id int64) string { return fmt.Sprintf("%s/acme/api/actions/runs/%d", Web, id) }
func JobURL(id int64, i int) string {
	return fmt.Sprintf("%s/acme/api/actions/runs/%d/job/%d", Web, id, id*100+int64(i))
}

var (
	runPath  = regexp.MustCompile(`^/repos/acme/api/actions/runs/(\d+)$`)
	jobsPath = regexp.MustCompile(`^/repos/acme/api/actions/runs/(\d+)/jobs$`)
	cmpPath  = regexp.MustCompile(`^/repos/acme/api/compare/([^/]+)\.\.\.([^/]+)$`)
	shaPath  = regexp.MustCompile(`^/repos/acme/api/commits/([^/]+)$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer "+Token {
		w.WriteHeader(401)
		io.WriteString(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	if r.Header.Get("X-GitHub-Api-Version") == "" {
		s.t.Errorf("githubtest: %s %s without X-GitHub-Api-Version", r.Method, r.URL.Path)
	}
	p := r.URL.Path
	switch {
	case r.Method == "POST" && p == "/repos/acme/api/actions/workflows/deploy.yml/dispatches":
		s.dispatch(w, r)
	case r.Method == "GET" && p == "/repos/acme/api/actions/workflows/deploy.yml/runs":
		s.list(w, r)
	case r.Method == "GET" && runPath.MatchString(p):
		s.run(w, runPath.FindStringSubmatch(p)[1])
	case r.Method == "GET" && jobsPath.MatchString(p):
		s.jobs(w, r, jobsPath.FindStringSubmatch(p)[1])
	case r.Method == "GET" && cmpPath.MatchString(p):
		m := cmpPath.FindStringSubmatch(p)
		s.compare(w, m[1], m[2])
	case r.Method == "GET" && shaPath.MatchString(p):
		s.sha(w, r, shaPath.FindStringSubmatch(p)[1])
	case r.Method == "GET" && p == "/repos/acme/api":
		writeJSON(w, map[string]any{"id": 1, "full_name": "acme/api", "default_branch": "main"})
	default:
		s.t.Errorf("githubtest: unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(404)
		io.WriteString(w, `{"message":"Not Found"}`)
	}
}

// dispatch answers 204 with no body, as GitHub does, and starts a queued run.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	var d Dispatch
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&d) != nil || d.Ref == "" {
		w.WriteHeader(422)
		io.WriteString(w, `{"message":"Invalid request"}`)
		return
	}
	s.dispatches = append(s.dispatches, d)
	if !s.noRuns {
		s.runs = append(s.runs, &Run{ID: int64(1001 + len(s.runs)), Title: "Deploy", Status: "queued", Created: s.now(), Inputs: d.Inputs, WorkflowRef: d.Ref})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := time.Parse(time.RFC3339, strings.TrimPrefix(q.Get("created"), ">="))
	if q.Get("event") != "workflow_dispatch" || err != nil {
		s.t.Errorf("githubtest: runs listed with %s", r.URL.RawQuery)
	}
	var out []map[string]any
	for i := len(s.runs) - 1; i >= 0; i-- { // newest first
		if run := s.runs[i]; !run.Created.Before(after) {
			out = append(out, runJSON(run))
		}
	}
	writeJSON(w, map[string]any{"total_count": len(out), "workflow_runs": out})
}

func runJSON(r *Run) map[string]any {
	m := map[string]any{"id": r.ID, "name": "Deploy", "display_title": r.Title, "event": "workflow_dispatch", "status": r.Status,
		"conclusion": nil, "html_url": RunURL(r.ID), "created_at": r.Created.UTC().Format(time.RFC3339), "run_attempt": 1}
	if r.Conclusion != "" {
		m["conclusion"] = r.Conclusion
	}
	return m
}

func (s *Server) find(id string) *Run {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, r := range s.runs {
		if r.ID == n {
			return r
		}
	}
	return nil
}

func (s *Server) run(w http.ResponseWriter, id string) {
	r := s.find(id)
	if r == nil {
		w.WriteHeader(404)
		io.WriteString(w, `{"message":"Not Found"}`)
		return
	}
	writeJSON(w, runJSON(r))
}

func (s *Server) jobs(w http.ResponseWriter, req *http.Request, id string) {
	if req.URL.Query().Get("filter") != "latest" {
		s.t.Errorf("githubtest: jobs listed with %s", req.URL.RawQuery)
	}
	r := s.find(id)
	if r == nil {
		w.WriteHeader(404)
		return
	}
	var out []map[string]any
	for i, j := range r.Jobs {
		m := map[string]any{"id": r.ID*100 + int64(i), "run_id": r.ID, "name": j.Name, "status": j.Status, "conclusion": nil, "html_url": JobURL(r.ID, i)}
		if j.Conclusion != "" {
			m["conclusion"] = j.Conclusion
		}
		out = append(out, m)
	}
	writeJSON(w, map[string]any{"total_count": len(out), "jobs": out})
}

// compare answers base...head on the linear history.
func (s *Server) compare(w http.ResponseWriter, base, head string) {
	i, okB := s.refs[base]
	j, okH := s.refs[head]
	if !okB || !okH {
		w.WriteHeader(404)
		io.WriteString(w, `{"message":"Not Found"}`)
		return
	}
	var commits []map[string]any
	for k := i + 1; k <= j; k++ {
		c := s.commits[k]
		commits = append(commits, map[string]any{"sha": c.sha, "commit": map[string]any{"message": c.message, "author": map[string]any{"name": c.author}},
			"author": map[string]any{"login": c.author}})
	}
	status := map[bool]string{true: "ahead", false: "behind"}[j >= i]
	writeJSON(w, map[string]any{"html_url": fmt.Sprintf("%s/acme/api/compare/%s...%s", Web, base, head), "status": status,
		"ahead_by": max(j-i, 0), "behind_by": max(i-j, 0), "total_commits": len(commits), "commits": commits,
		"base_commit": map[string]any{"sha": s.commits[i].sha}})
}

// sha answers "Get a commit" with the sha media type: the SHA as text.
func (s *Server) sha(w http.ResponseWriter, r *http.Request, ref string) {
	i, ok := s.refs[ref]
	if r.Header.Get("Accept") != "application/vnd.github.v3.sha" || !ok {
		w.WriteHeader(422)
		io.WriteString(w, `{"message":"No commit found for SHA: `+ref+`"}`)
		return
	}
	io.WriteString(w, s.commits[i].sha)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}
