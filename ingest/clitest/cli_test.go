package clitest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsbot/opsbot/internal/loggen"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// opsbot builds the binary once per test process.
func opsbot(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsbot-clitest-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "opsbot")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/opsbot/opsbot/cmd/opsbot").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	if data := os.Getenv("OPSBOT_CLITEST_COUNT"); data != "" {
		countHelper(data, os.Getenv("OPSBOT_CLITEST_LIKE"))
		return
	}
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// yesterday keeps generated traffic inside the default retention.
func yesterday() time.Time { return time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour) }

func byStatus(lines []loggen.Line) map[string]uint64 {
	m := map[string]uint64{}
	for _, l := range lines {
		m[fmt.Sprint(l.Status)]++
	}
	return m
}

// counts counts, in a process of its own (the embedded engine runs one
// data folder per process), the stored requests per status among objects
// whose source_object matches like, and the log lines stored twice.
func counts(t *testing.T, data, like string) (map[string]uint64, uint64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OPSBOT_CLITEST_COUNT="+data, "OPSBOT_CLITEST_LIKE="+like)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("count helper: %v\n%s", err, out)
	}
	var c struct {
		ByStatus map[string]uint64
		Dups     uint64
	}
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("count helper said %q: %v", out, err)
	}
	return c.ByStatus, c.Dups
}

func countHelper(data, like string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := chdb.Open(data)
	if err != nil {
		fail(err)
	}
	defer w.Close()
	ctx := context.Background()
	p := map[string]string{"l": like}
	res, err := w.Query(ctx, "SELECT toString(status), count() FROM requests WHERE source_object LIKE {l:String} GROUP BY status", p)
	if err != nil {
		fail(err)
	}
	out := struct {
		ByStatus map[string]uint64
		Dups     uint64
	}{ByStatus: map[string]uint64{}}
	for _, r := range res.Rows {
		out.ByStatus[r[0].(string)] = r[1].(uint64)
	}
	dup, err := w.Query(ctx, "SELECT toUInt64(count() - uniqExact(source_object, source_line)) FROM requests WHERE source_object LIKE {l:String}", p)
	if err != nil {
		fail(err)
	}
	out.Dups = dup.Rows[0][0].(uint64)
	json.NewEncoder(os.Stdout).Encode(out)
}

func sameCounts(t *testing.T, what string, got, want map[string]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d statuses stored, want %d: got %v want %v", what, len(got), len(want), got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: status %s: %d rows stored, want %d", what, k, got[k], v)
		}
	}
}

// runOpsbot runs opsbot ingest to the end and returns its log.
func runOpsbot(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(opsbot(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("opsbot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// killAt runs opsbot ingest and SIGKILLs it as soon as a log line contains
// trigger. It reports whether the kill happened before the run ended.
func killAt(t *testing.T, trigger string, args ...string) bool {
	t.Helper()
	cmd := exec.Command(opsbot(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if !killed && strings.Contains(sc.Text(), trigger) {
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		}
	}
	err = cmd.Wait()
	if killed {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("opsbot was not killed: %v", err)
		}
	}
	return killed
}

func TestKilledMidObjectRestartLosesAndDoublesNothing(t *testing.T) {
	data, logs := t.TempDir(), t.TempDir()
	o := loggen.Options{Start: yesterday(), Lines: 60_000, Seed: 5}
	if _, err := loggen.WriteObjects(logs, o, 3); err != nil {
		t.Fatal(err)
	}
	args := []string{"--data", data, "ingest", "--from", logs, "--once", "--verbose", "--no-progress", "--batch-rows", "1000", "--workers", "2"}
	// Kill mid-object, right after an object is recorded done, and at the
	// first chunk of a resumed object: each restart picks up the pieces.
	log := killThenFinish(t, data, loggen.Generate(o), []string{"chunk 7 of ", "loaded ", "chunk 12 of "}, args...)
	if !strings.Contains(log, "resumed") {
		t.Errorf("the last run resumed nothing:\n%s", log)
	}
}

// Many small objects are pooled into batched inserts: a kill right after a
// batch is committed (before its objects are recorded done) and a kill
// while a later batch is pooling both leave nothing lost or doubled.
func TestKilledBetweenPooledBatchesLosesAndDoublesNothing(t *testing.T) {
	data, logs := t.TempDir(), t.TempDir()
	o := loggen.Options{Start: yesterday(), Lines: 40_000, Seed: 6}
	if _, err := loggen.WriteObjects(logs, o, 80); err != nil {
		t.Fatal(err)
	}
	args := []string{"--data", data, "ingest", "--from", logs, "--once", "--verbose", "--no-progress",
		"--batch-rows", "1000", "--insert-rows", "4000", "--workers", "2"}
	log := killThenFinish(t, data, loggen.Generate(o), []string{"batch ", "batch "}, args...)
	if !strings.Contains(log, "was committed before the restart: recorded done") {
		t.Errorf("the last run found no committed batch to record:\n%s", log)
	}
}

// killThenFinish SIGKILLs opsbot ingest at each trigger in turn, runs it to
// the end once more, checks that every line is stored exactly once and
// returns the last run's log.
func killThenFinish(t *testing.T, data string, lines []loggen.Line, triggers []string, args ...string) string {
	t.Helper()
	for _, trigger := range triggers {
		if !killAt(t, trigger, args...) {
			t.Fatalf("the run ended before %q was logged", trigger)
		}
	}
	log := runOpsbot(t, nil, args...)
	got, dups := counts(t, data, "%")
	sameCounts(t, "after kills and restart", got, byStatus(lines))
	if dups != 0 {
		t.Errorf("%d log lines stored twice", dups)
	}
	return log
}
