package chdb_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/chdb"
)

// TestMissingLibrary runs in a child process (the library loads once per
// process): Open must fail with ErrNoEngine and say how to get the engine.
func TestMissingLibrary(t *testing.T) {
	if os.Getenv("OPSBOT_TEST_CHILD") == "missing" {
		_, err := chdb.Open(t.TempDir())
		if !errors.Is(err, warehouse.ErrNoEngine) {
			t.Fatalf("got %v, want ErrNoEngine", err)
		}
		os.Stdout.WriteString("ERR: " + err.Error() + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMissingLibrary$", "-test.v")
	cmd.Env = append(os.Environ(), "OPSBOT_TEST_CHILD=missing", "OPSBOT_CHDB_LIB=/nonexistent/libchdb.so")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	for _, want := range []string{"ERR: ", "/nonexistent/libchdb.so", "make chdb", "--clickhouse"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error lacks %q:\n%s", want, out)
		}
	}
}
