package ipc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// Client talks to the owner of a data folder.
type Client struct {
	path string
	hc   *http.Client
}

// Dial returns a client for the socket at path; nothing is sent until a
// call.
func Dial(path string) *Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &Client{path: path, hc: &http.Client{Transport: tr}}
}

// Ask answers phrase at now through the owner.
func (c *Client) Ask(ctx context.Context, phrase string, now time.Time) (*Answer, error) {
	var a Answer
	if err := c.post(ctx, "/ask", askRequest{Phrase: phrase, Now: now}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Handle sends a chat command through the owner's router; a failure to
// reach it becomes an ephemeral reply that says so. Only req.Text is sent:
// the owner runs it as the identity of this process's OS user (see Serve),
// whatever req.User, Transport or Now say.
func (c *Client) Handle(ctx context.Context, req *opsbot.Request) *opsbot.Reply {
	var r opsbot.Reply
	if err := c.post(ctx, "/chat", chatRequest{Text: req.Text}, &r); err != nil {
		return &opsbot.Reply{Text: err.Error(), Ephemeral: true}
	}
	return &r
}

func (c *Client) post(ctx context.Context, route string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://opsbot"+route, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("ask the owner through %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var f failure
		if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
			return fmt.Errorf("owner answered %s", resp.Status)
		}
		if f.Invalid {
			return opsbot.Invalidf("%s", f.Error)
		}
		return fmt.Errorf("owner: %s", f.Error)
	}
	d := json.NewDecoder(resp.Body)
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		return err
	}
	switch v := out.(type) {
	case *Answer:
		if v.Reply != nil {
			restore(v.Reply.Table)
		}
	case *opsbot.Reply:
		restore(v.Table)
	}
	return nil
}

// restore gives a decoded table back the value types opsbot.Result
// documents (JSON has only numbers and strings), by column type.
func restore(r *opsbot.Result) {
	if r == nil {
		return
	}
	for _, row := range r.Rows {
		for i, v := range row {
			if i < len(r.Columns) {
				row[i] = typed(warehouse.Kind(r.Columns[i].Type), v)
			}
		}
	}
}

func typed(k warehouse.TypeKind, v any) any {
	n, isNum := v.(json.Number)
	s, isStr := v.(string)
	switch {
	case isNum && k == warehouse.KindUint:
		u, _ := strconv.ParseUint(n.String(), 10, 64)
		return u
	case isNum && k == warehouse.KindInt:
		i, _ := n.Int64()
		return i
	case isNum:
		f, _ := n.Float64()
		return f
	case isStr && k == warehouse.KindTime:
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return v
}
