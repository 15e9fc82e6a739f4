package infratest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// AWS API versions and namespaces, as the query protocols send them.
const (
	versionIAM     = "2010-05-08"
	versionEC2     = "2016-11-15"
	versionELBv2   = "2015-12-01"
	versionClassic = "2012-06-01"
	versionSTS     = "2011-06-15"

	nsIAM     = "https://iam.amazonaws.com/doc/2010-05-08/"
	nsEC2     = "http://ec2.amazonaws.com/doc/2016-11-15/"
	nsELBv2   = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
	nsClassic = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"
	nsSTS     = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// Credentials the server accepts unless a Role is set.
const (
	AccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	SecretKey   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Call is one request the server answered.
type Call struct {
	Service   string // iam, ec2, elbv2, elb, sts, ce
	Action    string
	Region    string // from the signature's scope
	AccessKey string
	Params    url.Values // query protocols
	Body      string     // JSON protocols (Cost Explorer): the request as sent
	Error     string     // the error code answered, "" on success
}

// Fault makes matching requests fail Times times (-1: always).
type Fault struct {
	Service, Action, Region string // "" matches any
	Code, Message           string // AccessDenied, Throttling, RequestLimitExceeded …
	Status                  int    // default 400
	Times                   int
	Match                   map[string]string // request parameters that must be equal
}

// AWS is a loopback AWS account.
type AWS struct {
	URL string

	srv    *httptest.Server
	mu     sync.Mutex
	world  World
	calls  []Call
	faults []*Fault
	reqs   int
}

// NewAWS serves w on loopback until Close.
func NewAWS(w World) *AWS {
	if w.AccountID == "" {
		w.AccountID = "123456789012"
	}
	a := &AWS{world: w}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	a.URL = a.srv.URL
	return a
}

// Close stops the server.
func (a *AWS) Close() { a.srv.Close() }

// Fail adds a fault.
func (a *AWS) Fail(f Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	a.faults = append(a.faults, &f)
}

// Update changes the world between runs.
func (a *AWS) Update(fn func(*World)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn(&a.world)
}

// Calls are the requests answered so far, in order, failed ones included.
func (a *AWS) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Call(nil), a.calls...)
}

// CallsTo are the calls to one service's action.
func (a *AWS) CallsTo(service, action string) []Call {
	var out []Call
	for _, c := range a.Calls() {
		if c.Service == service && c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

var authRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`)

func (a *AWS) serve(w http.ResponseWriter, r *http.Request) {
	call, status, code, msg := a.parse(r)
	if a.world.Latency > 0 {
		time.Sleep(a.world.Latency) // a simulated round trip, never synchronisation
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs++
	if code == "" {
		code, msg, status = a.checkKey(call)
	}
	if code == "" {
		code, msg, status = a.fault(call)
	}
	if code == "" {
		if err := a.answer(w, call); err != nil {
			code, msg, status = err.code, err.msg, err.status
		}
	}
	if code != "" {
		writeError(w, call.Service, status, code, msg, a.reqs)
	}
	call.Error = code
	a.calls = append(a.calls, call)
}

// parse checks the request's form and signature scope.
func (a *AWS) parse(r *http.Request) (Call, int, string, string) {
	var c Call
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return c, 400, "InvalidAction", fmt.Sprintf("query APIs take POST /, got %s %s", r.Method, r.URL.Path)
	}
	if r.Header.Get("X-Amz-Target") != "" {
		return a.parseJSON(r)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" && ct != "application/x-www-form-urlencoded; charset=utf-8" {
		return c, 400, "InvalidParameterValue", "Content-Type is " + ct
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return c, 400, "MalformedQueryString", err.Error()
	}
	m := authRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || r.Header.Get("X-Amz-Date") == "" {
		return c, 403, "IncompleteSignature", "missing or malformed SigV4 Authorization: " + r.Header.Get("Authorization")
	}
	c = Call{Action: form.Get("Action"), Region: m[3], AccessKey: m[1], Params: form}
	c.Service = serviceOf(m[4], form.Get("Version"))
	if c.Service == "" {
		return c, 400, "InvalidAction", fmt.Sprintf("unknown service %s version %s", m[4], form.Get("Version"))
	}
	if c.AccessKey != AccessKeyID && a.world.Role != nil && r.Header.Get("X-Amz-Security-Token") != a.world.Role.SessionToken {
		return c, 403, "InvalidClientTokenId", "the security token included in the request is invalid"
	}
	return c, 0, "", ""
}

func serviceOf(scope, version string) string {
	switch {
	case scope == "iam" && version == versionIAM:
		return "iam"
	case scope == "ec2" && version == versionEC2:
		return "ec2"
	case scope == "elasticloadbalancing" && version == versionELBv2:
		return "elbv2"
	case scope == "elasticloadbalancing" && version == versionClassic:
		return "elb"
	case scope == "sts" && version == versionSTS:
		return "sts"
	}
	return ""
}

// checkKey: with a Role, only STS takes the base key and everything else
// must use the role's.
func (a *AWS) checkKey(c Call) (string, string, int) {
	want := AccessKeyID
	if a.world.Role != nil && c.Service != "sts" {
		want = a.world.Role.AccessKeyID
	}
	if c.AccessKey != want {
		return "InvalidClientTokenId", fmt.Sprintf("%s %s signed with %s, want %s", c.Service, c.Action, c.AccessKey, want), 403
	}
	return "", "", 0
}

func (a *AWS) fault(c Call) (string, string, int) {
	for _, f := range a.faults {
		if f.Times == 0 || (f.Service != "" && f.Service != c.Service) || (f.Action != "" && f.Action != c.Action) ||
			(f.Region != "" && f.Region != c.Region) || !matches(c, f.Match) {
			continue
		}
		if f.Times > 0 {
			f.Times--
		}
		msg := f.Message
		if msg == "" {
			msg = "injected " + f.Code
		}
		return f.Code, msg, f.Status
	}
	return "", "", 0
}

func matches(c Call, want map[string]string) bool {
	for k, v := range want {
		if c.Params.Get(k) != v {
			return false
		}
	}
	return true
}

// apiErr is an error answer.
type apiErr struct {
	status    int
	code, msg string
}

func invalid(format string, args ...any) *apiErr {
	return &apiErr{400, "ValidationError", fmt.Sprintf(format, args...)}
}

// page cuts n items at marker (an index) to the client's page size, capped
// by the world's; next is the following marker or "".
func (a *AWS) page(n int, marker, size string, maxSize int) (from, to int, next string, err *apiErr) {
	if marker != "" {
		i, e := strconv.Atoi(marker)
		if e != nil || i < 0 || i > n {
			return 0, 0, "", invalid("invalid marker %q", marker)
		}
		from = i
	}
	limit := maxSize
	if size != "" {
		s, e := strconv.Atoi(size)
		if e != nil || s < 1 || s > maxSize {
			return 0, 0, "", invalid("page size %q is not between 1 and %d", size, maxSize)
		}
		limit = s
	}
	if a.world.PageSize > 0 && a.world.PageSize < limit {
		limit = a.world.PageSize
	}
	to = min(from+limit, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}
