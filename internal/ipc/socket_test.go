package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

var day = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// serve starts an owner on a real unix socket.
func serve(t *testing.T) (*ipc.Client, *query.Engine, string) {
	w := warehousetest.Embedded(t)
	warehousetest.Truncate(t, w, "requests")
	warehousetest.InsertLines(t, w, loggen.Generate(loggen.Options{Start: day, Lines: 5000, Seed: 3}))
	e := query.New(w, query.Options{})
	b := bot.New(bot.Options{}, e.Skill())
	dir := t.TempDir()
	path := ipc.Path(dir)
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := ipc.Start(ctx, dir, e, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := wait(); err != nil {
			t.Errorf("serve: %v", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("socket left behind: %v", err)
		}
	})
	c := ipc.Dial(path)
	return c, e, path
}

func TestAskThroughTheOwner(t *testing.T) {
	c, e, path := serve(t)
	now := day.Add(24 * time.Hour)
	got, err := c.Ask(context.Background(), "status last 24h", now)
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.Ask(context.Background(), "status last 24h", now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reply.Title != want.Title || !reflect.DeepEqual(got.Reply.Table.Rows, want.Table.Rows) {
		t.Fatalf("through the socket:\n%s %v\ndirect:\n%s %v", got.Reply.Title, got.Reply.Table.Rows, want.Title, want.Table.Rows)
	}
	if _, ok := got.Reply.Table.Rows[0][1].(uint64); !ok {
		t.Fatalf("requests came back as %T, want uint64", got.Reply.Table.Rows[0][1])
	}
	if got.SQL == "" || got.Params["since"] == "" {
		t.Fatalf("no SQL or params: %q %v", got.SQL, got.Params)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

func TestBadPhraseStaysInvalid(t *testing.T) {
	c, _, _ := serve(t)
	_, err := c.Ask(context.Background(), "top 4xx by colour", day)
	if !errors.Is(err, opsbot.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}

func TestChatThroughTheOwner(t *testing.T) {
	c, _, _ := serve(t)
	r := c.Handle(context.Background(), &opsbot.Request{Text: "help top"})
	if r.Ephemeral || r.Text == "" {
		t.Fatalf("help through the socket: %+v", r)
	}
	gone := ipc.Dial(filepath.Join(t.TempDir(), "none.sock")).Handle(context.Background(), &opsbot.Request{Text: "help"})
	if !gone.Ephemeral || fmt.Sprint(gone.Text) == "" {
		t.Fatalf("an unreachable owner should be an ephemeral error: %+v", gone)
	}
}
