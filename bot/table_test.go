package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
)

func TestTableLines(t *testing.T) {
	r := &opsbot.Result{
		Columns: []opsbot.Column{{Name: "ip", Type: "String"}, {Name: "requests", Type: "UInt64"}, {Name: "top_path", Type: "String"}, {Name: "last", Type: "DateTime"}},
		Rows: [][]any{
			{"104.2.1.1", uint64(4001), "/blargh", time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)},
			{"207.1.2.3", uint64(1234567), "/" + strings.Repeat("a", 60), nil},
		},
	}
	want := []string{
		"ip          requests  top_path                                          last",
		"─────────  ─────────  ────────────────────────────────────────────────  ───────────────────",
		"104.2.1.1      4,001  /blargh                                           2026-11-22 10:05:00",
		"207.1.2.3  1,234,567  /" + strings.Repeat("a", 46) + "…",
	}
	got := bot.TableLines(r)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567.50": "-1,234,567.50", "100000": "100,000"} {
		if got := bot.Thousands(in); got != want {
			t.Errorf("Thousands(%q) = %q, want %q", in, got, want)
		}
	}
}
