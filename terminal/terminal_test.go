package terminal_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/terminal"
)

// little is a small real skill: "rows" answers a table, "who" the asker,
// "chart" a file, "ban" needs an operator.
type little struct{}

func (little) Commands() []bot.Command {
	return []bot.Command{
		{Name: "rows", Summary: "a table", Role: opsbot.RoleReader},
		{Name: "who", Summary: "who asks", Role: opsbot.RoleReader},
		{Name: "chart", Summary: "a chart", Role: opsbot.RoleReader},
		{Name: "ban", Usage: "ban IP", Summary: "block", Role: opsbot.RoleOperator},
	}
}

func (little) Handle(_ context.Context, req *opsbot.Request) (*opsbot.Reply, error) {
	switch strings.Fields(req.Text)[0] {
	case "rows":
		return &opsbot.Reply{Title: "Top 2 4XX by ip", Context: "last hour", Table: &opsbot.Result{
			Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}},
			Rows:    [][]any{{"104.2.1.1", uint64(4001)}, {"207.1.2.3", uint64(321)}},
		}}, nil
	case "chart":
		return &opsbot.Reply{Title: "Requests", Files: []opsbot.File{{Name: "requests.png", Data: []byte("png")}}}, nil
	}
	return &opsbot.Reply{Text: req.User.ID + " via " + req.Transport}, nil
}

func TestPipedChat(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	in := strings.NewReader("opsbot rows\n\n  WHO  \nban 1.2.3.4\nchart\nquit\nwho\n")
	err := terminal.Chat(context.Background(), terminal.Options{User: opsbot.User{ID: "U0ALICE01", Name: "alice"}, In: in, Out: &out, Files: dir}, bot.Options{}, little{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Top 2 4XX by ip\n" +
		"ip         requests\n" +
		"─────────  ────────\n" +
		"104.2.1.1     4,001\n" +
		"207.1.2.3       321\n" +
		"— last hour\n\n" +
		"U0ALICE01 via terminal\n\n" +
		"`ban` needs the operator role; you are a reader.\n\n" +
		"Requests\n" +
		"requests.png saved to " + filepath.Join(dir, "opsbot-requests.png") + "\n\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "opsbot-requests.png")); err != nil || string(b) != "png" {
		t.Errorf("chart file: %q %v", b, err)
	}
}
