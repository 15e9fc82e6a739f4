package main_test

import (
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/opsbot/opsbot/internal/loggen"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the real opsbot once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "opsbot")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// command is the binary run in dir (no opsbot.yaml there unless the test
// writes one), without Slack.
func command(bin, dir string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), "SLACK_BOT_TOKEN=")
	return c
}

// owner is a long-running opsbot (a chat, an ingest) holding a data folder:
// its stdin stays open until stop, and start returns once its stderr says
// ready.
type owner struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   chan string // all of stdout, once it closes
}

func start(t *testing.T, c *exec.Cmd, ready string) *owner {
	t.Helper()
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	o := &owner{cmd: c, stdin: in, out: make(chan string, 1)}
	go func() {
		b, _ := io.ReadAll(stdout)
		o.out <- string(b)
	}()
	waitFor(t, stderr, ready)
	return o
}

// stop ends the owner: end of input for a chat, SIGTERM for the rest.
func (o *owner) stop(t *testing.T, signal bool) string {
	t.Helper()
	o.stdin.Close()
	if signal {
		o.cmd.Process.Signal(syscall.SIGTERM)
	}
	out := <-o.out // read before Wait, which closes the pipe
	if err := o.cmd.Wait(); err != nil {
		t.Errorf("%s: %v", strings.Join(o.cmd.Args, " "), err)
	}
	return out
}

// TestFirstHour is a newcomer's first hour through the real binary, with no
// config file: the demo (small) ends with the command to continue; that
// chat answers `top 4xx by ip` from the demo's data as local:USER, a
// reader by default on a folder of their own, and a refusal says which
// config line grants the role. While the chat owns the folder, ask and a
// second chat go through its socket, and a second demo stops before
// writing a log.
func TestFirstHour(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	out, err := command(bin, dir, "--data", ".demo/data", "demo", "--dir", ".demo/logs", "--lines", "20000", "--no-chat").Output()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	want := "Continue with: " + bin + " --data .demo/data chat"
	if last != want {
		t.Fatalf("demo's last line %q, want %q", last, want)
	}
	args := strings.Fields(strings.TrimPrefix(last, "Continue with: "))
	chat := command(args[0], dir, args[1:]...)
	me := "local:" + currentUser(t)
	o := start(t, chat, "ask through this chat")
	io.WriteString(o.stdin, "top 4xx by ip\nsql SELECT 1\n")

	ask, err := command(bin, dir, "--data", ".demo/data", "ask", "top 4xx by ip").CombinedOutput()
	if err != nil || !strings.Contains(string(ask), "Top 10 4XX by ip") || !regexp.MustCompile(`\n\d+\.\d+\.\d+\.\d+ +\d`).Match(ask) {
		t.Errorf("ask while chat owns the folder: %v\n%s", err, ask)
	}
	second := command(bin, dir, "--data", ".demo/data", "chat")
	second.Stdin = strings.NewReader("top 4xx by ip\n")
	if out, err := second.CombinedOutput(); err != nil || !strings.Contains(string(out), "chatting through the opsbot that owns") || !strings.Contains(string(out), "Top 10 4XX by ip") {
		t.Errorf("second chat: %v\n%s", err, out)
	}
	demo := command(bin, dir, "--data", ".demo/data", "demo", "--dir", "logs2", "--lines", "1000", "--no-chat")
	if out, err := demo.CombinedOutput(); err == nil || !regexp.MustCompile(`held by pid \d+`).Match(out) {
		t.Errorf("demo on a held folder: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "logs2")); !os.IsNotExist(err) {
		t.Errorf("demo on a held folder wrote its logs: %v", err)
	}
	got := o.stop(t, false)
	if !strings.Contains(got, "Top 10 4XX by ip") || strings.Contains(got, "No matching") || strings.Contains(got, "(no rows)") {
		t.Errorf("chat as %s did not answer from the demo's data:\n%s", me, got)
	}
	grant := "`sql` needs the analyst role; you are a reader. To be given it, add `access: {analysts: {users: [" + me + "]}}` to opsbot.yaml"
	if !strings.Contains(got, grant) {
		t.Errorf("refusal does not say how to grant the role (want %q):\n%s", grant, got)
	}
}

// TestLockedFolderNamesItsOwner: a process that owns the folder without
// answering on its socket (a watching ingest) is named by pid to the
// next one; and ask on an empty requests table says how to fill it.
func TestLockedFolderNamesItsOwner(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	out, err := command(bin, dir, "--data", "empty", "ask", "top 4xx by ip").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "The requests table in empty is empty") || !strings.Contains(string(out), "opsbot ingest --from") {
		t.Errorf("ask on an empty folder: %v\n%s", err, out)
	}
	logs := filepath.Join(dir, "logs")
	if _, err := loggen.WriteObjects(logs, loggen.Options{Lines: 1000, Seed: 3}, 1); err != nil {
		t.Fatal(err)
	}
	o := start(t, command(bin, dir, "--data", "empty", "ingest", "--from", logs, "--no-progress"), "ingest from")
	for _, args := range [][]string{{"ask", "top 4xx by ip"}, {"chat"}} {
		c := command(bin, dir, append([]string{"--data", "empty"}, args...)...)
		c.Stdin = strings.NewReader("top 4xx by ip\n")
		out, err := c.CombinedOutput()
		if err == nil || !regexp.MustCompile(`held by pid \d+ \(.*ingest`).Match(out) || strings.Contains(string(out), "no such file") {
			t.Errorf("%s while ingest owns the folder: %v\n%s", args[0], err, out)
		}
	}
	o.stop(t, true)
}

func currentUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}
