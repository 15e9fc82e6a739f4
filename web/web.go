// Package web serves opsbot's pages on `opsbot serve`: the confirmation of
// a write command whose method is oidc (/confirm/ID), the daily analysis
// (/reports/daily/YYYY-MM-DD) and any phrase's answer (/ask?q=PHRASE, with
// /ask.csv for its CSV), server-rendered with html/template and SVG
// charts, no script.
//
// Every page needs a signed-in person holding the role its content needs
// (reader for reports and answers, operator for confirmations). Sign-in is
// the OpenID Connect code flow with PKCE, state and nonce (go-oidc for
// discovery, keys and verification; x/oauth2 for the flow); the identity
// is the ID token's verified email only, mapped to the Slack user with
// that email (Directory), whose role the access config gives. Sessions are
// HMAC-signed HttpOnly, Secure, SameSite=Lax cookies that expire; every
// POST carries the session's CSRF token; every answer has a strict
// Content-Security-Policy. Log fields are escaped by html/template after
// the sanitizer of internal/text.
package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
)

// Directory finds the Slack user behind a verified email.
//
// Contract: UserByEmail returns the user (ID, display name, user groups)
// whose Slack profile holds email, or an error wrapping opsbot.ErrNotFound
// when none does; Email returns the profile email of user id (users.info).
// Safe for concurrent use.
type Directory interface {
	UserByEmail(ctx context.Context, email string) (opsbot.User, error)
	Email(ctx context.Context, id string) (string, error)
}

// Authorizer gives a person's role (access.Roles).
type Authorizer interface {
	Role(ctx context.Context, u opsbot.User, channel string) opsbot.Role
}

// Auditor records what people did on the pages (auditlog.Log).
type Auditor interface {
	Record(ctx context.Context, e opsbot.AuditEntry) error
}

// Source renders reports and answers (web/source over the query engine
// and the daily report).
//
// Contract: Daily reads the analysis of the day starting at day (midnight
// in the configured zone); Ask answers a chat phrase at now. Bad input is
// an error wrapping opsbot.ErrInvalid whose text is for people.
type Source interface {
	Daily(ctx context.Context, day time.Time) (*Page, error)
	Ask(ctx context.Context, phrase string, now time.Time) (*Page, error)
	Location() *time.Location
}

// Page is a report or an answer as the pages show it.
type Page struct {
	Reply   opsbot.Reply // Title, Text (chat markup: *bold*, ``` blocks), Table, Context
	SVG     []byte       // the chart; nil: none
	SQL     string       // the query an answer ran ("" for reports)
	Params  string       // its bound parameters, one a line
	Command string       // the clickhouse-client line that runs it
}

// Options configure the pages. All are required but Log, Now and HTTP.
type Options struct {
	BaseURL       string // https://opsbot.example.com
	Issuer        string
	ClientID      string
	ClientSecret  string
	AllowedDomain string        // Google's hd claim; "": any domain
	SessionKey    []byte        // ≥ 32 bytes, signs cookies
	Session       time.Duration // sign-in lifetime
	Directory     Directory
	Roles         Authorizer
	Confirmations *access.Confirmations
	Bot           opsbot.Handler // runs `confirm ID` through the router: roles, audit
	Source        Source
	Audit         Auditor          // page views and refusals; nil: not recorded (confirmations are, by Bot)
	Now           func() time.Time // nil: time.Now
	HTTP          *http.Client     // for the provider; nil: 30 s timeout
	Log           *slog.Logger
}

// Server is the pages' handler.
type Server struct {
	o        Options
	base     *url.URL
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	cookies  cookies
	mux      *http.ServeMux
}

// New reads the provider's discovery document and builds the pages.
func New(ctx context.Context, o Options) (*Server, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("web: base url: %w", err)
	}
	pctx := oidc.ClientContext(ctx, o.HTTP)
	prov, err := oidc.NewProvider(pctx, o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("web: oidc discovery at %s: %w", o.Issuer, err)
	}
	s := &Server{o: o, base: base, cookies: cookies{key: o.SessionKey, secure: true}}
	s.oauth = oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: base.String() + "/auth/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	s.verifier = prov.VerifierContext(pctx, &oidc.Config{ClientID: o.ClientID, Now: o.Now})
	s.routes()
	return s, nil
}

func (o *Options) check() error {
	switch {
	case o.BaseURL == "" || o.Issuer == "" || o.ClientID == "":
		return errors.New("web: base url, issuer and client id are needed")
	case o.ClientSecret == "":
		return errors.New("web: the oidc client secret is empty")
	case len(o.SessionKey) < 32:
		return errors.New("web: the session key must hold at least 32 bytes")
	case o.Directory == nil || o.Roles == nil || o.Confirmations == nil || o.Bot == nil || o.Source == nil:
		return errors.New("web: directory, roles, confirmations, bot and source are needed")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Session <= 0 {
		o.Session = 30 * time.Minute
	}
	return nil
}

// NewSessionKey draws a random key, for when none is configured.
func NewSessionKey() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// Handler serves the pages: mount it at / (or at each of Paths).
func (s *Server) Handler() http.Handler { return headers(s.mux) }

// Paths are the mux patterns the pages own, for mounting beside others.
var Paths = []string{"/confirm/", "/reports/", "/ask", "/ask.csv", "/auth/", "/static/"}

// ConfirmURL is the page of confirmation id.
func ConfirmURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/confirm/" + url.PathEscape(id)
}

// DailyURL is the page of the daily analysis of day.
func DailyURL(base string, day time.Time) string {
	return strings.TrimSuffix(base, "/") + "/reports/daily/" + day.Format("2006-01-02")
}

// AskURL is the page answering phrase.
func AskURL(base, phrase string) string {
	return strings.TrimSuffix(base, "/") + "/ask?q=" + url.QueryEscape(phrase)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /auth/login", s.login)
	m.HandleFunc("GET /auth/callback", s.callback)
	m.HandleFunc("POST /auth/logout", s.logout)
	m.Handle("GET /static/", staticFiles())
	m.HandleFunc("GET /confirm/{id}", s.need(opsbot.RoleOperator, s.confirmPage))
	m.HandleFunc("POST /confirm/{id}", s.need(opsbot.RoleOperator, s.confirmPost))
	m.HandleFunc("GET /reports/daily/{day}", s.need(opsbot.RoleReader, s.daily))
	m.HandleFunc("GET /ask", s.need(opsbot.RoleReader, s.ask))
	m.HandleFunc("GET /ask.csv", s.need(opsbot.RoleReader, s.askCSV))
	s.mux = m
}

// csp lets pages load only opsbot's own style sheet, images inline as
// data: (the charts), and post forms only to opsbot.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// headers sets the security headers on every answer.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}
