package config_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbot/opsbot/config"
)

// TestBadConfigs loads every testdata/bad/*.yaml; each must fail with the
// message its first line names (# want: …).
func TestBadConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad configs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := wantLine(t, f)
			_, err := config.Load(f, true)
			if err == nil {
				t.Fatalf("loaded without error; want %q", want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not contain %q", err, want)
			}
			if !strings.Contains(err.Error(), f) {
				t.Fatalf("error %q does not name the file", err)
			}
		})
	}
}

func wantLine(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Scan()
	want, ok := strings.CutPrefix(s.Text(), "# want: ")
	if !ok {
		t.Fatalf("%s: first line must be '# want: MESSAGE'", path)
	}
	return want
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := config.Load(filepath.Join(t.TempDir(), "absent.yaml"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Timezone != "UTC" || c.RetentionDays != 90 {
		t.Fatalf("defaults: %+v", c)
	}
	if _, err := config.Load(filepath.Join(t.TempDir(), "absent.yaml"), true); err == nil {
		t.Fatal("a required config that is missing loaded")
	}
}

// TestExampleLoads keeps the annotated example in the repo valid.
func TestExampleLoads(t *testing.T) {
	c, err := config.Load("../opsbot.example.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slack.Rooms.Audit != "tech-audits" || len(c.Access.Operators.Users) != 2 {
		t.Fatalf("example decoded oddly: %+v", c.Slack.Rooms)
	}
}
