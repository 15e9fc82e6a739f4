package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// Cookie names. The session lasts web.session; the login cookie carries
// the state, nonce and PKCE verifier of one sign-in for 10 minutes.
const (
	sessionCookie = "opsbot_session"
	loginCookie   = "opsbot_login"
	loginFor      = 10 * time.Minute
	maxCookie     = 4000
)

// session is a signed-in person.
type session struct {
	User    opsbot.User `json:"u"`
	Email   string      `json:"e"`
	Subject string      `json:"s"`
	Issuer  string      `json:"i"`
	CSRF    string      `json:"c"`
	Expires int64       `json:"x"` // Unix seconds
}

// login is one sign-in under way.
type login struct {
	State    string `json:"st"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"to"`
	Expires  int64  `json:"x"`
}

// cookies signs values with HMAC-SHA256 under key, purpose bound into the
// MAC so that a login cookie never passes as a session. (Written here, not
// taken from a library: it is twenty lines over crypto/hmac, and the
// values are not secret, only authenticated.)
type cookies struct {
	key    []byte
	secure bool
}

func (c cookies) mac(purpose, payload string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(purpose + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// set writes v as cookie name, kept by the browser for ttl (the value
// holds its own expiry, checked on opsbot's clock).
func (c cookies) set(w http.ResponseWriter, name string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p := base64.RawURLEncoding.EncodeToString(b)
	val := p + "." + c.mac(name, p)
	if len(val) > maxCookie {
		return errors.New("cookie too large")
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: val, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// get reads cookie name into v; a missing, altered or unsigned cookie is
// an error.
func (c cookies) get(r *http.Request, name string, v any) error {
	ck, err := r.Cookie(name)
	if err != nil {
		return err
	}
	p, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.mac(name, p))) {
		return errors.New("cookie signature does not match")
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (c cookies) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
}

// session reads the signed-in person, if the session is valid now.
func (s *Server) session(r *http.Request) (*session, bool) {
	var ss session
	if err := s.cookies.get(r, sessionCookie, &ss); err != nil {
		return nil, false
	}
	if s.o.Now().Unix() >= ss.Expires || ss.User.ID == "" || ss.CSRF == "" {
		return nil, false
	}
	return &ss, true
}

// csrfOK checks the form's token against the session's.
func csrfOK(r *http.Request, ss *session) bool {
	t := r.PostFormValue("csrf")
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(ss.CSRF)) == 1
}

// random is n random bytes, base64url.
func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
