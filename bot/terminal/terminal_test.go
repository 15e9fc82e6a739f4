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
	"github.com/opsbot/opsbot/bot/terminal"
	"github.com/opsbot/opsbot/internal/text/texttest"
)

// little is a small real skill: "rows" answers a table, "who" the asker,
// "chart" a file, "ban" needs an operator.
type little struct{}

func (little) Commands() []opsbot.Command {
	return []opsbot.Command{
		{Name: "rows", Summary: "a table", Role: opsbot.RoleReader},
		{Name: "who", Summary: "who asks", Role: opsbot.RoleReader},
		{Name: "chart", Summary: "a chart", Role: opsbot.RoleReader},
		{Name: "secret", Summary: "a secret file", Role: opsbot.RoleReader},
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
	case "secret":
		return &opsbot.Reply{Title: "Your authenticator", Files: []opsbot.File{{Name: "opsbot-2fa.png", Data: []byte("otpauth-secret")}}}, nil
	}
	return &opsbot.Reply{Text: req.User.ID + " via " + req.Transport}, nil
}

func TestPipedChat(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	in := strings.NewReader("opsbot rows\n\n  WHO  \nban 1.2.3.4\nchart\nquit\nwho\n")
	err := terminal.Run(context.Background(), bot.New(bot.Options{}, little{}), terminal.Options{User: opsbot.User{ID: "U0ALICE01", Name: "alice"}, In: in, Out: &out, Files: dir})
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
		"requests.png saved to " + filepath.Join(runDir(t, dir), "requests.png") + "\n\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if b, err := os.ReadFile(filepath.Join(runDir(t, dir), "requests.png")); err != nil || string(b) != "png" {
		t.Errorf("chart file: %q %v", b, err)
	}
}

// runDir is the one folder a chat run made under dir.
func runDir(t *testing.T, dir string) string {
	t.Helper()
	runs, err := filepath.Glob(filepath.Join(dir, "opsbot-*"))
	if err != nil || len(runs) != 1 {
		t.Fatalf("run folders in %s: %v %v", dir, runs, err)
	}
	return runs[0]
}

// TestAttachmentsGoToAPrivateFolder: in a shared folder (like /tmp) where
// someone else planted world-writable files at the old fixed names, a
// run's attachments — the 2FA QR code is a secret — go to a new folder
// only its user can enter, as new files only they can read; the same
// name twice makes two files, and each run has its own folder.
func TestAttachmentsGoToAPrivateFolder(t *testing.T) {
	shared := t.TempDir()
	for _, name := range []string{"opsbot-opsbot-2fa.png", "opsbot-2fa.png"} {
		planted := filepath.Join(shared, name)
		if err := os.WriteFile(planted, nil, 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(planted, 0o666); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	saved := func() []string {
		var out bytes.Buffer
		in := strings.NewReader("secret\nsecret\n")
		if err := terminal.Run(context.Background(), bot.New(bot.Options{}, little{}), terminal.Options{User: opsbot.User{ID: "U0ALICE01"}, In: in, Out: &out, Files: shared}); err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, l := range strings.Split(out.String(), "\n") {
			if p, ok := strings.CutPrefix(l, "opsbot-2fa.png saved to "); ok {
				paths = append(paths, p)
			}
		}
		if len(paths) != 2 || paths[0] == paths[1] || filepath.Dir(paths[0]) != filepath.Dir(paths[1]) {
			t.Fatalf("saved to %q\n%s", paths, out.String())
		}
		return paths
	}
	first, second := saved(), saved()
	if filepath.Dir(first[0]) == filepath.Dir(second[0]) {
		t.Errorf("two runs share %s", filepath.Dir(first[0]))
	}
	for _, p := range append(first, second...) {
		dir := filepath.Dir(p)
		if filepath.Dir(dir) != shared {
			t.Errorf("%s is not in a folder of its own under %s", p, shared)
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("folder %s: %v %v", dir, st.Mode(), err)
		}
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("file %s: %v %v", p, st.Mode(), err)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != "otpauth-secret" {
			t.Errorf("file %s holds %q %v", p, b, err)
		}
	}
	for _, name := range []string{"opsbot-opsbot-2fa.png", "opsbot-2fa.png"} {
		if b, err := os.ReadFile(filepath.Join(shared, name)); err != nil || len(b) != 0 {
			t.Errorf("the planted %s holds %q %v", name, b, err)
		}
	}
}

// answers always gives the same reply.
type answers struct{ r *opsbot.Reply }

func (a answers) Handle(context.Context, *opsbot.Request) *opsbot.Reply { return a.r }

// TestLogFieldsCannotDriveTheTerminal: a reply holding every C0 control,
// DEL, C1 controls, bidi overrides, invalid UTF-8 and Slack markup in its
// title, text, table, context and button reaches the terminal with no raw
// control or bidi character, each part in its escaped form.
func TestLogFieldsCannotDriveTheTerminal(t *testing.T) {
	var out bytes.Buffer
	err := terminal.Run(context.Background(), answers{texttest.Reply()}, terminal.Options{User: opsbot.User{ID: "U1"}, In: strings.NewReader("top paths\n"), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	got, h := out.String(), texttest.Hostile()
	if i := texttest.Hidden(got); i >= 0 {
		t.Fatalf("raw %q at %d of\n%s", got[i:i+1], i, got)
	}
	for _, want := range []string{
		"Top paths for " + texttest.Escaped(h, false) + "\n",
		"Hits of " + texttest.Escaped(h, true) + "\n",
		"— filter " + texttest.Escaped(h, false) + "\n",
		"[Ban " + texttest.Escaped(h, false) + "] type: ban 192.0.2.1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	for _, row := range [][2]string{{`path\u202e`, "requests"}, {`/ctl\x01\x07\x1b[31mred\x00nul`, "7"}, {texttest.Markup, "5"}} {
		if !hasRow(got, row[0], row[1]) {
			t.Errorf("no table row %q … %q in\n%s", row[0], row[1], got)
		}
	}
}

// hasRow reports whether out has a line of cell, spaces, then n.
func hasRow(out, cell, n string) bool {
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, cell); ok && strings.HasSuffix(rest, " "+n) && strings.TrimSpace(strings.TrimSuffix(rest, n)) == "" {
			return true
		}
	}
	return false
}
