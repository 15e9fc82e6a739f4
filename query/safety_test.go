package query_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/query"
)

func count(t *testing.T) uint64 {
	t.Helper()
	w, _ := load(t)
	r, err := w.Query(context.Background(), "SELECT count() FROM requests", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r.Rows[0][0].(uint64)
}

// TestHostilePhrasesChangeNothing: injection attempts get a clear refusal
// or an empty answer, and the table is intact afterwards.
func TestHostilePhrasesChangeNothing(t *testing.T) {
	w, ls := load(t)
	e := query.New(w, query.Options{})
	before := count(t)
	if before != uint64(len(ls)) {
		t.Fatalf("table holds %d rows, want %d", before, len(ls))
	}
	for _, p := range []string{
		"top 4xx by ip for '; DROP TABLE requests",
		"top 4xx by ip; DROP TABLE requests",
		"top 4xx by ip for /x'; DROP TABLE requests; --",
		"top 4xx by ip on evil.com'); TRUNCATE TABLE requests; --",
		"top 4xx by requests) FROM system.tables --",
		"hits 1.2.3.4' OR 1=1 --",
		"traffic /'||(SELECT 1)||'",
		"top 4xx by ip since 10:00; DROP TABLE requests",
		"top 4xx by ip for /x';DROP\tTABLE\trequests;--",
		"top 4xx by ip on www.example.org'||'",
	} {
		r, err := e.Ask(context.Background(), p, day.Add(12*time.Hour))
		switch {
		case errors.Is(err, opsbot.ErrInvalid):
			if !strings.Contains(err.Error(), "'") && !strings.Contains(err.Error(), ";") && !strings.Contains(err.Error(), ")") {
				t.Errorf("%s: refusal %q does not name the bad part", p, err)
			}
		case err != nil:
			t.Errorf("%s: engine error %v; want a refusal or an empty answer", p, err)
		case len(r.Table.Rows) != 0:
			t.Errorf("%s: %d rows; want none", p, len(r.Table.Rows))
		}
	}
	if after := count(t); after != before {
		t.Fatalf("requests went from %d to %d rows", before, after)
	}
}

// TestSkillRefusesBadInputWithSuggestion: the skill answers ephemerally,
// naming the problem, with a suggestion.
func TestSkillRefusesBadInputWithSuggestion(t *testing.T) {
	w, _ := load(t)
	s := query.New(w, query.Options{}).Skill()
	r, err := s.Handle(context.Background(), &opsbot.Request{Text: "top 4xx by ipz", Now: day.Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Ephemeral || !strings.Contains(r.Text, `did you mean "top 4xx by ip"`) {
		t.Fatalf("reply %+v", r)
	}
}

func TestSuggest(t *testing.T) {
	e := query.New(nil, query.Options{})
	for in, want := range map[string]string{
		"tpo 4xx by ip":                         "top 4xx by ip",
		"4xx by ip":                             "top 4xx by ip",
		"top 4xx ipz":                           "top 4xx ip",
		"show me 4xx by ip":                     "top 4xx by ip",
		"hitz 1.2.3.4":                          "hits 1.2.3.4",
		"staus last 24h":                        "status last 24h",
		"slowset paths":                         "slowest paths",
		"xyzzy plugh":                           "",
		"top 4xx by ip since 25:00":             "top 4xx by ip",
		"top 5xx by path for 10.0.0.0/33 today": "top 5xx by path",
	} {
		if got := e.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCommandsCoverGrammar: every command has usage, summary and examples,
// every example parses, and the bot's help lists every command.
func TestCommandsCoverGrammar(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	cmds := e.Skill().Commands()
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
		if c.Usage == "" || c.Summary == "" || len(c.Examples) == 0 || c.Role != opsbot.RoleReader || c.Write {
			t.Errorf("command %s is not fully described: %+v", c.Name, c)
		}
		for _, ex := range c.Examples {
			if !strings.HasPrefix(ex, c.Name+" ") && ex != c.Name {
				t.Errorf("example %q is not a %s phrase", ex, c.Name)
			}
			if r, err := e.Skill().Handle(context.Background(), &opsbot.Request{Text: ex, Now: day.Add(12 * time.Hour)}); err != nil || r.Ephemeral {
				t.Errorf("example %q: %v %+v", ex, err, r)
			}
		}
	}
	want := []string{"top", "hits", "traffic", "status", "rate", "slowest", "graph", "explain"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("commands %v, want %v", names, want)
	}
	help := bot.New(bot.Options{}, e.Skill()).Handle(context.Background(), &opsbot.Request{Text: "help"})
	for _, n := range want {
		if !strings.Contains("\n"+help.Text, "\n"+n+" ") {
			t.Errorf("help does not list %s:\n%s", n, help.Text)
		}
	}
}
