package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/opsbot/opsbot"
)

// claims are the ID token's claims opsbot reads.
type claims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	HD            string `json:"hd"`
	Nonce         string `json:"nonce"`
}

// login starts a sign-in: state, nonce and PKCE verifier go into a signed
// cookie, the browser to the provider.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	l := login{State: random(24), Nonce: random(24), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(r.URL.Query().Get("next")), Expires: s.o.Now().Add(loginFor).Unix()}
	if err := s.cookies.set(w, loginCookie, l, loginFor); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "Sign-in failed", err.Error())
		return
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)}
	if s.o.AllowedDomain != "" {
		opts = append(opts, oauth2.SetAuthURLParam("hd", s.o.AllowedDomain))
	}
	http.Redirect(w, r, s.oauth.AuthCodeURL(l.State, opts...), http.StatusFound)
}

// localPath keeps a return path on this site ("/" otherwise).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}

// callback ends a sign-in: the state must match the login cookie's, the
// code is exchanged with the PKCE verifier, the ID token verified (issuer,
// audience, expiry, signature, nonce, verified email, domain) and its
// email mapped to a Slack user.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	var l login
	err := s.cookies.get(r, loginCookie, &l)
	s.cookies.clear(w, loginCookie)
	switch {
	case err != nil || s.o.Now().Unix() >= l.Expires:
		s.fail(w, r, http.StatusBadRequest, "Sign-in failed", "the sign-in took too long or did not start here: sign in again")
		return
	case r.URL.Query().Get("state") != l.State:
		s.fail(w, r, http.StatusBadRequest, "Sign-in failed", "the sign-in's state does not match: sign in again")
		return
	case r.URL.Query().Get("error") != "":
		s.fail(w, r, http.StatusForbidden, "Sign-in refused", "the provider said: "+r.URL.Query().Get("error"))
		return
	}
	ss, err := s.signIn(r.Context(), r.URL.Query().Get("code"), l)
	if err != nil {
		s.o.Log.Warn("web: sign-in refused", "err", err)
		s.audit(r, nil, "sign in", "refused: "+opsbot.ErrorText(err))
		s.fail(w, r, http.StatusForbidden, "Sign-in refused", opsbot.ErrorText(err))
		return
	}
	if err := s.cookies.set(w, sessionCookie, ss, s.o.Session); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "Sign-in failed", err.Error())
		return
	}
	s.o.Log.Info("web: signed in", "user", ss.User.ID, "email", ss.Email)
	http.Redirect(w, r, l.Next, http.StatusFound)
}

// signIn turns the code into a session.
func (s *Server) signIn(ctx context.Context, code string, l login) (*session, error) {
	ctx = oidc.ClientContext(ctx, s.o.HTTP)
	tok, err := s.oauth.Exchange(ctx, code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return nil, fmt.Errorf("code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, errors.New("the provider sent no ID token")
	}
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, opsbot.Forbiddenf("the ID token is not valid: %w", err)
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	if err := s.checkClaims(c, l); err != nil {
		return nil, err
	}
	u, err := s.o.Directory.UserByEmail(ctx, c.Email)
	if err != nil {
		return nil, opsbot.Forbiddenf("%s is not the email of anyone in Slack: %w", c.Email, err)
	}
	return &session{User: u, Email: c.Email, Subject: idt.Subject, Issuer: idt.Issuer, CSRF: random(24),
		Expires: s.o.Now().Add(s.o.Session).Unix()}, nil
}

// checkClaims wants the nonce of this sign-in, a verified email and,
// when configured, the allowed Google Workspace domain.
func (s *Server) checkClaims(c claims, l login) error {
	switch {
	case c.Nonce != l.Nonce:
		return opsbot.Forbiddenf("the ID token's nonce is not this sign-in's")
	case c.Email == "" || c.EmailVerified == nil || !*c.EmailVerified:
		return opsbot.Forbiddenf("the provider did not vouch for an email address (email_verified)")
	case s.o.AllowedDomain != "" && (!strings.EqualFold(c.HD, s.o.AllowedDomain) ||
		!strings.HasSuffix(strings.ToLower(c.Email), "@"+strings.ToLower(s.o.AllowedDomain))):
		return opsbot.Forbiddenf("only accounts of %s may sign in", s.o.AllowedDomain)
	}
	return nil
}

// logout ends the session (a POST with its CSRF token).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if ss, ok := s.session(r); ok && csrfOK(r, ss) {
		s.cookies.clear(w, sessionCookie)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// need wraps h: a signed-in person with role, or a redirect to sign in
// (GET) or a refusal.
func (s *Server) need(role opsbot.Role, h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		ss, ok := s.session(r)
		if !ok && r.Method == http.MethodGet {
			http.Redirect(w, r, "/auth/login?next="+urlQuery(r.URL.RequestURI()), http.StatusFound)
			return
		}
		if !ok {
			s.fail(w, r, http.StatusUnauthorized, "Not signed in", "sign in again, then retry")
			return
		}
		if r.Method == http.MethodPost && !csrfOK(r, ss) {
			s.fail(w, r, http.StatusForbidden, "Refused", "the form's CSRF token is missing or wrong: reload the page and retry")
			return
		}
		if have := s.o.Roles.Role(r.Context(), ss.User, ""); have < role {
			s.audit(r, ss, r.Method+" "+r.URL.Path, fmt.Sprintf("refused: needs %s, has %s", role, have))
			s.fail(w, r, http.StatusForbidden, "Refused", fmt.Sprintf("this page needs the %s role; %s (%s) has %s", role, ss.User.ID, ss.Email, have))
			return
		}
		if r.Method != http.MethodGet { // a POST runs through the router, which audits it
			h(w, r, ss)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(sw, r, ss)
		result := "ok"
		if sw.status >= 400 {
			result = fmt.Sprintf("refused: %d %s", sw.status, http.StatusText(sw.status))
		}
		s.audit(r, ss, "GET "+r.URL.RequestURI(), result)
	}
}

// statusWriter remembers the status a page answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// audit records a page view or a refusal (ss nil: before sign-in).
func (s *Server) audit(r *http.Request, ss *session, what, result string) {
	if s.o.Audit == nil {
		return
	}
	e := opsbot.AuditEntry{Time: s.o.Now(), Transport: "web", Text: what, Action: what, Allowed: result == "ok", Result: result}
	if ss != nil {
		e.User = ss.User
		e.Approval = "signed in as " + ss.Email
	}
	if err := s.o.Audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.o.Log.Error("web: audit", "err", err)
	}
}
