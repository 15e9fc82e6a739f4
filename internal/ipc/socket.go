// Package ipc lets a second opsbot process on a data folder work through
// the process that owns it. chDB runs one engine per process and a data
// folder has one owner at a time, so while `opsbot serve` or `opsbot chat`
// runs, `opsbot ask` and `opsbot chat` on the same folder send their
// questions to it over a
// unix socket in the folder (mode 0600: only the same OS user, who could
// read the folder anyway, and root). It speaks JSON over HTTP.
//
// Who asks is never taken from the client: the server reads the peer's
// credentials from the kernel (SO_PEERCRED) when it accepts a connection
// and maps its uid to a chat identity (local:NAME, or what the owner's
// config maps it to). A chat command runs as that identity, over the
// "socket" transport, as a direct message, at the server's clock.
package ipc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
)

// Limits on one request: a command or a phrase is a line of text.
const (
	maxBody      = 64 << 10
	readTimeout  = 30 * time.Second // headers and body
	writeTimeout = 10 * time.Minute // the longest a command may run and answer
	idleTimeout  = time.Minute
)

// Path is the owner's socket in a data folder.
func Path(dataDir string) string { return filepath.Join(dataDir, "opsbot.sock") }

// Asker answers one phrase and explains it (the query engine).
type Asker interface {
	Ask(ctx context.Context, phrase string, now time.Time) (*opsbot.Reply, error)
	Explain(phrase string, now time.Time) (sql string, params opsbot.Params, err error)
}

// Peer is the process at the other end of a connection, as the kernel
// reported it when the connection was accepted.
type Peer struct {
	PID, UID, GID int
}

// Identity names the chat user a peer is. It is given only what the kernel
// said, never anything the client sent.
type Identity func(Peer) opsbot.User

// Local is the chat identity of an OS user, as in `opsbot chat`:
// local:NAME, or local:uid:N when the uid has no user name.
func Local(uid int) opsbot.User {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return opsbot.User{ID: "local:" + u.Username, Name: u.Username}
	}
	n := strconv.Itoa(uid)
	return opsbot.User{ID: "local:uid:" + n, Name: "uid " + n}
}

// Answer is what /ask returns: the reply and the SQL behind it.
type Answer struct {
	Reply  *opsbot.Reply `json:"reply"`
	SQL    string        `json:"sql"`
	Params opsbot.Params `json:"params"`
}

// askRequest is the body of /ask. Now is the client's: see serveAsk.
type askRequest struct {
	Phrase string    `json:"phrase"`
	Now    time.Time `json:"now"`
}

// chatRequest is the body of /chat: only the command. Who sends it, over
// what, where and when are the server's to say.
type chatRequest struct {
	Text string `json:"text"`
}

type failure struct {
	Error   string `json:"error"`
	Invalid bool   `json:"invalid"`
}

// Listen creates the socket at path, readable by this OS user only. A stale
// socket file left by a dead owner is replaced: the caller holds the data
// folder's lock, so it is the owner.
func Listen(path string) (net.Listener, error) {
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("socket: %w", err)
	}
	return l, nil
}

// Start makes the socket of the data folder dataDir and answers on it, in
// the background, until ctx ends; wait (call it once) returns then what
// Serve returned. Whatever owns a folder (serve, chat) starts it, so that
// the others on the folder work through the owner. The caller holds the
// folder's lock.
func Start(ctx context.Context, dataDir string, a Asker, h opsbot.Handler, id Identity) (wait func() error, err error) {
	l, err := Listen(Path(dataDir))
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, a, h, id) }()
	return func() error { return <-done }, nil
}

// Serve answers on l until ctx ends, then removes the socket. id names the
// peer of each connection; nil is Local of its uid.
func Serve(ctx context.Context, l net.Listener, a Asker, h opsbot.Handler, id Identity) error {
	defer os.Remove(l.Addr().String())
	if id == nil {
		id = func(p Peer) opsbot.User { return Local(p.UID) }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) { serveAsk(w, r, a) })
	mux.HandleFunc("POST /chat", func(w http.ResponseWriter, r *http.Request) { serveChat(w, r, h, id) })
	srv := &http.Server{
		Handler: guard(mux), ConnContext: withPeer,
		ReadHeaderTimeout: readTimeout, ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout,
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("socket: %w", err)
	}
	return nil
}

type peerKey struct{}

type peerResult struct {
	peer Peer
	err  error
}

// withPeer reads the credentials of a connection as it is accepted and
// keeps them in the context of every request on it.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	p, err := peerOf(c)
	return context.WithValue(ctx, peerKey{}, peerResult{p, err})
}

// peerFrom is the peer of the connection r came on.
func peerFrom(r *http.Request) (Peer, error) {
	pr, ok := r.Context().Value(peerKey{}).(peerResult)
	if !ok {
		return Peer{}, errors.New("the connection carries no peer credentials")
	}
	return pr.peer, pr.err
}

// guard refuses a request whose peer the kernel did not name, bounds its
// body and its run time.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := peerFrom(r); err != nil {
			reply(w, http.StatusForbidden, failure{Error: "cannot tell which OS user is asking: " + err.Error()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
		defer cancel()
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// serveAsk answers a phrase at the client's now. The client may pick now:
// `opsbot ask --now TIME` replays a past window, and /ask only reads (no
// roles, no audit, no writes), so now changes nothing but the window.
func serveAsk(w http.ResponseWriter, r *http.Request, a Asker) {
	var q askRequest
	if !decode(w, r, &q) {
		return
	}
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	rep, err := a.Ask(r.Context(), q.Phrase, q.Now)
	if err != nil {
		reply(w, http.StatusUnprocessableEntity, failure{Error: opsbot.ErrorText(err), Invalid: errors.Is(err, opsbot.ErrInvalid)})
		return
	}
	sql, params, _ := a.Explain(q.Phrase, q.Now)
	reply(w, http.StatusOK, Answer{Reply: rep, SQL: sql, Params: params})
}

// serveChat runs a command as the connection's peer: a private
// conversation (DM) of that identity, over "socket", at the server's clock.
func serveChat(w http.ResponseWriter, r *http.Request, h opsbot.Handler, id Identity) {
	var q chatRequest
	if !decode(w, r, &q) {
		return
	}
	p, _ := peerFrom(r) // guard checked it
	req := &opsbot.Request{User: id(p), DM: true, Text: q.Text, Transport: "socket", Now: time.Now()}
	reply(w, http.StatusOK, h.Handle(r.Context(), req))
}

// decode reads a JSON body into v, answering the failure when it can't.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(r.Body).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		reply(w, http.StatusRequestEntityTooLarge, failure{Error: fmt.Sprintf("request over %d KiB: send one command or phrase at a time", maxBody>>10)})
	case err != nil:
		reply(w, http.StatusBadRequest, failure{Error: "bad request: " + err.Error()})
	}
	return err == nil
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
