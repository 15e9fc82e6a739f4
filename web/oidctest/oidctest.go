// Package oidctest is a loopback OpenID Connect provider for tests: a
// discovery document, a JWKS, an authorization endpoint that signs in
// whoever the test says (no login form), and a token endpoint that checks
// the client secret, the redirect URI and the PKCE verifier (S256) before
// it hands out an RS256-signed ID token. Knobs in Identity forge what a
// hostile or broken provider would send: another key, another audience or
// issuer, an expired token, an unverified email.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Identity is who the next sign-in is, and how its ID token is made.
type Identity struct {
	Subject  string
	Email    string
	Verified bool   // email_verified
	HD       string // Google's hosted domain; "": none
	// Forgeries.
	OtherKey bool          // sign with a key the JWKS does not hold
	Audience string        // "": the client ID
	Issuer   string        // "": the provider's URL
	Expired  bool          // exp an hour before now
	Lifetime time.Duration // 0: 5 minutes
}

// Provider is the loopback provider.
type Provider struct {
	Server       *httptest.Server
	ClientID     string
	ClientSecret string
	Now          func() time.Time // the tokens' clock; nil: time.Now

	key, other     *rsa.PrivateKey
	mu             sync.Mutex
	next           Identity
	codes          map[string]grant
	authorizations []url.Values
}

type grant struct {
	id                         Identity
	nonce, challenge, redirect string
}

// New starts a provider for client id and secret; Close it.
func New(clientID, secret string) *Provider {
	p := &Provider{ClientID: clientID, ClientSecret: secret, codes: map[string]grant{}}
	p.key, _ = rsa.GenerateKey(rand.Reader, 2048)
	p.other, _ = rsa.GenerateKey(rand.Reader, 2048)
	m := http.NewServeMux()
	m.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	m.HandleFunc("GET /jwks", p.jwks)
	m.HandleFunc("GET /authorize", p.authorize)
	m.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(m)
	return p
}

// URL is the issuer.
func (p *Provider) URL() string { return p.Server.URL }

// Close stops the server.
func (p *Provider) Close() { p.Server.Close() }

// Authorizations are the query strings the authorization endpoint saw.
func (p *Provider) Authorizations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.authorizations...)
}

// SignInAs makes the next authorizations sign in as id.
func (p *Provider) SignInAs(id Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = id
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.URL(), "authorization_endpoint": p.URL() + "/authorize", "token_endpoint": p.URL() + "/token",
		"jwks_uri": p.URL() + "/jwks", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported": []string{"S256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

// authorize signs in the identity SignInAs set and redirects back with a
// code; a request that is not a code flow with PKCE S256 for this client
// is answered 400.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authorizations = append(p.authorizations, q)
	id := p.next
	p.mu.Unlock()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = grant{id: id, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code once, for its client, redirect URI and verifier.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case id != p.ClientID || secret != p.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
	case !found || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != g.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"access_token": random(), "token_type": "Bearer", "expires_in": 300,
			"id_token": p.IDToken(g.id, g.nonce)})
	}
}

// IDToken signs an ID token for id with nonce.
func (p *Provider) IDToken(id Identity, nonce string) string {
	key, now := p.key, p.now()
	if id.OtherKey {
		key = p.other
	}
	sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	c := map[string]any{"iss": or(id.Issuer, p.URL()), "sub": id.Subject, "aud": or(id.Audience, p.ClientID),
		"iat": now.Unix(), "exp": now.Add(or(id.Lifetime, 5*time.Minute)).Unix(), "email": id.Email, "email_verified": id.Verified}
	if id.Expired {
		c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if id.HD != "" {
		c["hd"] = id.HD
	}
	s, _ := jwt.Signed(sig).Claims(c).Serialize()
	return s
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func random() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
