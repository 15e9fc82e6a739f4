package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/internal/ipc"
	"github.com/opsbot/opsbot/internal/text"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/warehouse"
)

// runAsk answers one chat phrase: opsbot ask "top 4xx by ip" [--format table|json|csv] [--now TIME].
func runAsk(ctx context.Context, g *globals, args []string) error {
	fs := subFlags("ask", `ask "PHRASE" [--format table|json|csv] [--now TIME]`)
	format := fs.String("format", "table", "table, json or csv")
	nowFlag := fs.String("now", "", `evaluate relative windows at this instant (RFC 3339 or "2006-01-02 15:04", in the configured time zone), e.g. to replay an incident`)
	width := fs.Int("width", 120, "widest table line")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	phrase := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if phrase == "" {
		fs.Usage()
		return errors.New(`ask needs a phrase, e.g. opsbot ask "top 4xx by ip"`)
	}
	if text := bot.Strip(phrase, ""); strings.EqualFold(strings.SplitN(text, " ", 2)[0], "help") { // what ask answers: the query commands
		help := bot.New(bot.Options{}, query.New(nil, queryOptions(g.cfg)).Skill()).Help(text)
		return printAnswer(os.Stdout, &ipc.Answer{Reply: help}, *format, *width)
	}
	now, err := parseNow(*nowFlag, g.cfg.Location())
	if err != nil {
		return err
	}
	a, err := askOn(ctx, g, phrase, now)
	if err != nil {
		return err
	}
	return printAnswer(os.Stdout, a, *format, *width)
}

// askOn answers phrase on the data folder, or through the process that
// owns it.
func askOn(ctx context.Context, g *globals, phrase string, now time.Time) (*ipc.Answer, error) {
	w, err := g.open(ctx)
	if errors.Is(err, warehouse.ErrLocked) { // another process owns the folder: ask through it
		c, err := throughOwner(g, err)
		if err != nil {
			return nil, err
		}
		return c.Ask(ctx, phrase, now)
	}
	if err != nil {
		return nil, err
	}
	defer w.Close()
	e := hinted{query.New(w, queryOptions(g.cfg)), w, g.dataWhere()}
	r, err := e.Ask(ctx, phrase, now)
	if err != nil {
		if errors.Is(err, opsbot.ErrInvalid) {
			if s := e.SuggestFor(phrase, err); s != "" {
				return nil, fmt.Errorf("%w (did you mean %q?)", err, s)
			}
		}
		return nil, err
	}
	sqlText, params, _ := e.Explain(phrase, now) // "" for explain itself: it answers in text
	return &ipc.Answer{Reply: r, SQL: sqlText, Params: params}, nil
}

// throughOwner is the client of the process that holds the data folder
// when it answers on the folder's socket (serve and chat do); otherwise
// locked, the error naming that process.
func throughOwner(g *globals, locked error) (*ipc.Client, error) {
	if _, err := os.Stat(ipc.Path(g.cfg.Data)); err != nil {
		return nil, fmt.Errorf("%w (it answers no questions: only serve and chat do; wait for it to finish)", locked)
	}
	return ipc.Dial(ipc.Path(g.cfg.Data)), nil
}

func printAnswer(out io.Writer, a *ipc.Answer, format string, width int) error {
	r := a.Reply
	if r.Table == nil { // explain, and other answers in text
		if format != "table" {
			return fmt.Errorf("--format %s needs a table answer; %q answers in text", format, r.Title)
		}
		fmt.Fprint(out, text.Reply(r))
		return nil
	}
	switch format {
	case "json":
		return query.WriteJSON(out, r.Title, a.SQL, a.Params, r.Table)
	case "csv":
		return text.WriteCSV(out, r.Table)
	case "table": // titles, texts and context carry data: text.Visible
		fmt.Fprintln(out, text.Visible(r.Title))
		if r.Text != "" {
			fmt.Fprintln(out, text.VisibleLines(strings.TrimRight(r.Text, "\n")))
		}
		if len(r.Table.Rows) > 1 || r.Text == "" { // one row with text: the text shows it whole
			fmt.Fprint(out, text.Table(r.Table, width))
		}
		for _, f := range r.Files {
			name := f.Name
			if err := os.WriteFile(name, f.Data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", name, err)
			}
			fmt.Fprintf(out, "chart written to %s\n", text.Visible(name))
		}
		fmt.Fprintln(out, text.Visible(r.Context))
		return nil
	}
	return fmt.Errorf("--format %q: use table, json or csv", format)
}

// parseNow reads --now; "" is the current time.
func parseNow(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q: use RFC 3339 (2026-11-22T11:05:00Z) or \"2026-11-22 11:05\"", s)
}

// reorder moves flags before the phrase words so that
// `opsbot ask top 4xx by ip --format json` works too.
func reorder(args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") || (strings.HasPrefix(a, "-") && len(a) > 1 && a[1] >= 'a' && a[1] <= 'z') {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && a != "-h" && a != "--help" {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		words = append(words, a)
	}
	return append(flags, words...)
}
