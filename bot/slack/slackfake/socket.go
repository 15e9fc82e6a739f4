package slackfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// socket is the Socket Mode side: one live connection at a time, and the
// envelopes not yet acknowledged, redelivered on every new connection.
type socket struct {
	s       *Server
	mu      sync.Mutex
	conn    *wsConn
	next    int
	pending []*envelope
}

type wsConn struct {
	c  *websocket.Conn
	mu sync.Mutex // gorilla/websocket allows one writer at a time
}

func (w *wsConn) write(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return w.c.WriteJSON(v)
}

type envelope struct {
	ID      string          `json:"envelope_id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	Accepts bool            `json:"accepts_response_payload"`
	Attempt int             `json:"retry_attempt"`
	Reason  string          `json:"retry_reason"`
}

func newSocket(s *Server) *socket { return &socket{s: s} }

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (k *socket) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c}
	_ = conn.write(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": AppID}, "debug_info": map[string]any{"host": "slackfake"}})
	k.mu.Lock()
	old := k.conn
	k.conn = conn
	redo := append([]*envelope(nil), k.pending...)
	k.mu.Unlock()
	if old != nil {
		old.c.Close()
	}
	k.s.record(Call{Method: "socket.connect"})
	for _, e := range redo { // like Slack: what was not acked comes again
		e.Attempt++
		e.Reason = "timeout"
		_ = conn.write(e)
	}
	stop := make(chan struct{})
	go k.ping(conn, stop)
	k.read(conn)
	close(stop)
}

// ping sends websocket pings as Slack does, so the client's dead-connection
// timer stays quiet.
func (k *socket) ping(conn *wsConn, stop chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		conn.mu.Lock()
		err := conn.c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
		conn.mu.Unlock()
		if err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// read takes acks until the connection ends.
func (k *socket) read(conn *wsConn) {
	defer func() {
		k.mu.Lock()
		if k.conn == conn {
			k.conn = nil
		}
		k.mu.Unlock()
		conn.c.Close()
	}()
	for {
		var ack struct {
			ID      string          `json:"envelope_id"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := conn.c.ReadJSON(&ack); err != nil {
			return
		}
		k.mu.Lock()
		for i, e := range k.pending {
			if e.ID == ack.ID {
				k.pending = append(k.pending[:i], k.pending[i+1:]...)
				break
			}
		}
		k.mu.Unlock()
		k.s.record(Call{Method: "ack", Form: url.Values{"envelope_id": {ack.ID}}, JSON: ack.Payload})
	}
}

// Send delivers an envelope of kind ("events_api", "slash_commands",
// "interactive") over the live connection, or on the next one, and keeps it
// until acknowledged. It returns the envelope ID.
func (s *Server) Send(kind string, payload []byte) string {
	k := s.sock
	k.mu.Lock()
	k.next++
	e := &envelope{ID: fmt.Sprintf("env-%d", k.next), Type: kind, Payload: payload, Accepts: kind != "events_api"}
	k.pending = append(k.pending, e)
	conn := k.conn
	k.mu.Unlock()
	if conn != nil {
		_ = conn.write(e)
	}
	return e.ID
}

// Drop cuts the live connection without a word, like a network failure.
func (s *Server) Drop() {
	k := s.sock
	k.mu.Lock()
	conn := k.conn
	k.conn = nil
	k.mu.Unlock()
	if conn != nil {
		_ = conn.c.UnderlyingConn().Close()
	}
}

// Disconnect asks the client to reconnect, as Slack does before it rotates
// a connection.
func (s *Server) Disconnect() {
	k := s.sock
	k.mu.Lock()
	conn := k.conn
	k.mu.Unlock()
	if conn != nil {
		_ = conn.write(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "slackfake"}})
	}
}

// Unacked is how many envelopes wait for an ack.
func (s *Server) Unacked() int {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return len(s.sock.pending)
}
