// Package socket lets a second opsbot process on a data folder work through
// the process that owns it. chDB runs one engine per process and a data
// folder has one owner at a time, so while `opsbot serve` runs, `opsbot ask`
// and `opsbot chat` on the same folder send their questions to it over a
// unix socket in the folder (mode 0600: only the same OS user, who could
// read the folder anyway). It speaks JSON over HTTP.
package socket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/opsbot/opsbot"
)

// Path is the owner's socket in a data folder.
func Path(dataDir string) string { return filepath.Join(dataDir, "opsbot.sock") }

// Asker answers one phrase and explains it (the query engine).
type Asker interface {
	Ask(ctx context.Context, phrase string, now time.Time) (*opsbot.Reply, error)
	Explain(phrase string, now time.Time) (sql string, params opsbot.Params, err error)
}

// Handler answers a chat request through the router, roles and audit
// included (*bot.Bot).
type Handler interface {
	Handle(ctx context.Context, req *opsbot.Request) *opsbot.Reply
}

// Answer is what /ask returns: the reply and the SQL behind it.
type Answer struct {
	Reply  *opsbot.Reply `json:"reply"`
	SQL    string        `json:"sql"`
	Params opsbot.Params `json:"params"`
}

type askRequest struct {
	Phrase string    `json:"phrase"`
	Now    time.Time `json:"now"`
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

// Serve answers on l until ctx ends, then removes the socket.
func Serve(ctx context.Context, l net.Listener, a Asker, h Handler) error {
	defer os.Remove(l.Addr().String())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) { serveAsk(w, r, a) })
	mux.HandleFunc("POST /chat", func(w http.ResponseWriter, r *http.Request) { serveChat(w, r, h) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("socket: %w", err)
	}
	return nil
}

func serveAsk(w http.ResponseWriter, r *http.Request, a Asker) {
	var q askRequest
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		reply(w, http.StatusBadRequest, failure{Error: "bad request: " + err.Error()})
		return
	}
	rep, err := a.Ask(r.Context(), q.Phrase, q.Now)
	if err != nil {
		reply(w, http.StatusUnprocessableEntity, failure{Error: err.Error(), Invalid: errors.Is(err, opsbot.ErrInvalid)})
		return
	}
	sql, params, _ := a.Explain(q.Phrase, q.Now)
	reply(w, http.StatusOK, Answer{Reply: rep, SQL: sql, Params: params})
}

func serveChat(w http.ResponseWriter, r *http.Request, h Handler) {
	var req opsbot.Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, failure{Error: "bad request: " + err.Error()})
		return
	}
	reply(w, http.StatusOK, h.Handle(r.Context(), &req))
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
