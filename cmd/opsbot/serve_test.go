package main_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
)

// TestServeAnswersThroughItsSocket runs the real binary: ingest a folder of
// generated CloudFront logs, start serve on the data folder, then ask while
// serve owns it. The answer must come through serve's socket and match an
// independent count of the generated lines.
func TestServeAnswersThroughItsSocket(t *testing.T) {
	dir, bin := t.TempDir(), binary(t)
	data, logs := filepath.Join(dir, "data"), filepath.Join(dir, "logs")
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	o := loggen.Options{Start: start, Lines: 20_000, Seed: 5}
	if _, err := loggen.WriteObjects(logs, o, 4); err != nil {
		t.Fatal(err)
	}
	run(t, bin, "--data", data, "ingest", "--from", logs, "--once", "--no-progress")
	// serve listens on loopback unless told otherwise, and says how to expose it.
	usage, err := exec.Command(bin, "serve", "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(usage), `(default "127.0.0.1:9464")`) || !strings.Contains(string(usage), "reverse proxy with TLS") {
		t.Errorf("serve --help: %v\n%s", err, usage)
	}

	// serve's config maps its OS user to U0TERM, an operator.
	cfg := filepath.Join(dir, "opsbot.yaml")
	if err := os.WriteFile(cfg, []byte("slack:\n  terminal:\n    user: U0TERM\naccess:\n  operators:\n    users: [U0TERM]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	serve := exec.Command(bin, "--config", cfg, "--data", data, "serve", "--listen", "127.0.0.1:0")
	serve.Env = append(os.Environ(), "SLACK_BOT_TOKEN=")
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	serving := waitFor(t, stderr, "opsbot serving")
	metrics(t, serving)
	// serve owns the folder now: a process of its own cannot open it, so the
	// ask below can only have been answered through serve's socket.
	if out, err := exec.Command(bin, "--data", data, "migrate").CombinedOutput(); err == nil || !strings.Contains(string(out), "held by pid") {
		t.Fatalf("migrate while serve runs: %v\n%s", err, out)
	}

	out := run(t, bin, "--data", data, "ask", "status", "between 2026-11-22 00:00 and 2026-11-23 00:00", "--format", "json")
	var a struct {
		Columns []string
		Rows    [][]any
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("ask through serve: %v\n%s", err, out)
	}
	want := map[int]int{}
	for _, l := range loggen.Generate(o) {
		want[l.Status]++
	}
	got := map[int]int{}
	for _, r := range a.Rows {
		got[int(r[0].(float64))] = int(r[1].(float64))
	}
	if len(got) != len(want) {
		t.Fatalf("statuses: got %v, want %v", got, want)
	}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("status %d: got %d, want %d", s, got[s], n)
		}
	}
	// help reads no data, so it answers while serve owns the folder.
	help := run(t, bin, "--data", data, "ask", "opsbot help")
	for _, c := range []string{"top", "hits", "traffic", "status", "rate", "slowest", "graph", "explain"} {
		if !strings.Contains(help, "\n"+c+" ") { // plain text in a terminal: no backticks
			t.Errorf("ask help does not list %s:\n%s", c, help)
		}
	}
	chatThroughServe(t, bin, cfg, data)
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v", err)
	}
}

// chatThroughServe chats while serve owns the folder. serve names the
// asker from its socket's peer, this OS user, which its config maps to
// the operator U0TERM: so `audit` answers, and shows the help before it
// as U0TERM's. Asking to be someone else through serve is an error.
func chatThroughServe(t *testing.T, bin, cfg, data string) {
	t.Helper()
	chat := exec.Command(bin, "--config", cfg, "--data", data, "chat")
	chat.Stdin = strings.NewReader("help top\naudit\n")
	out, err := chat.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "chatting through the opsbot that owns") ||
		!regexp.MustCompile(`U0TERM\s.*help top`).Match(out) {
		t.Errorf("chat through serve: %v; want the audit to show U0TERM's help top\n%s", err, out)
	}
	other := exec.Command(bin, "--config", cfg, "--data", data, "chat", "--user", "U0ALICE")
	other.Stdin = strings.NewReader("audit\n")
	out, err = other.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--user U0ALICE: the opsbot serving") || !strings.Contains(string(out), "as U0TERM") {
		t.Errorf("chat --user U0ALICE through serve: %v; want an error naming U0TERM\n%s", err, out)
	}
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("opsbot %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// waitFor reads serve's log until a line holds want (serve logs it once its
// socket and HTTP listener are up); it fails if serve exits first.
func waitFor(t *testing.T, r interface{ Read([]byte) (int, error) }, want string) string {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, want) {
			go func() {
				for sc.Scan() { // keep draining so serve never blocks on its log
				}
			}()
			return line
		}
	}
	t.Fatalf("exited before logging %q", want)
	return ""
}

// metrics checks that serve, started without --from, serves /metrics on
// the address its "opsbot serving" line names, ingest counters included.
func metrics(t *testing.T, serving string) {
	t.Helper()
	m := regexp.MustCompile(`listen=(\S+)`).FindStringSubmatch(serving)
	if m == nil {
		t.Fatalf("no listen address in %q", serving)
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "opsbot_ingest_rows_total 0") {
		t.Errorf("/metrics without --from: %s\n%s", resp.Status, body)
	}
}
