package query

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/opsbot/opsbot/internal/text"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
)

// Ask answers a phrase at now ("last hour" ends at now). Bad input is an
// error wrapping opsbot.ErrInvalid whose message is for the asker; other
// errors are the engine's.
func (e *Engine) Ask(ctx context.Context, phrase string, now time.Time) (*opsbot.Reply, error) {
	start := time.Now()
	if orig, low := words(phrase); len(low) > 0 && low[0] == "explain" {
		return e.ExplainReply(joinWords(orig[1:]), now)
	}
	pl, err := e.Plan(phrase, now)
	if err != nil {
		return nil, err
	}
	n, err := e.Named(pl.Query)
	if err != nil {
		return nil, err
	}
	res, proven, err := e.answer(ctx, pl, n)
	if err != nil {
		return nil, err
	}
	r := &opsbot.Reply{Title: pl.Title, Table: res}
	if err := e.shape(pl, r); err != nil {
		return nil, err
	}
	r.Context = context_(pl, res, e.opts.Location, phrase)
	if proven {
		r.Context += " · " + provenNote
	}
	if text.HasNoResponse(res) {
		r.Context += " · " + text.NoResponse
	}
	r.Took = time.Since(start)
	return r, nil
}

// provenNote tells the asker a top-clients answer came from the summaries.
const provenNote = "exact: proven from the hourly top-client summaries"

// answer runs the plan's named query, or for top_by_ip first tries the
// certified answer from the hourly summaries (topclients.go); proven says
// it came from them. A failing summary falls back to the scan.
func (e *Engine) answer(ctx context.Context, pl *Plan, n *sql.Named) (*opsbot.Result, bool, error) {
	if pl.Query == "top_by_ip" {
		res, _, err := e.TopClients(ctx, pl.Params)
		if err == nil && res != nil {
			return res, true, nil
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("query: top clients from the summaries failed; scanning", "err", err)
		}
	}
	res, err := e.run(ctx, n.SQL, pl.Params)
	return res, false, err
}

// shape adds what a kind of answer needs beyond the table.
func (e *Engine) shape(pl *Plan, r *opsbot.Reply) error {
	switch pl.Kind {
	case "rate":
		req, matched := sumColumn(r.Table, "requests"), sumColumn(r.Table, "matched")
		pct := 0.0
		if req > 0 {
			pct = 100 * float64(matched) / float64(req)
		}
		r.Title += fmt.Sprintf(": %.2f%% (%s of %s)", pct, text.Value(matched), text.Value(req))
	case "hits": // one client is a record: its columns read down, not across
		r.Record = len(r.Table.Rows) == 1
	case "graph":
		png, err := Chart(pl, r.Table, e.opts.Location)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		r.Files = []opsbot.File{{Name: ChartFile(pl.What), Title: pl.Title, MimeType: "image/png", Data: png}}
	}
	if len(r.Table.Rows) == 0 {
		r.Text = "No matching requests in this window."
	}
	return nil
}

func context_(pl *Plan, res *opsbot.Result, loc *time.Location, phrase string) string {
	return fmt.Sprintf("%s · %s rows scanned in %s · `explain %s` shows the SQL",
		pl.Window.String(loc), text.Value(res.Stats.RowsRead), text.Duration(res.Stats.Elapsed), phraseOnly(phrase))
}

func phraseOnly(phrase string) string {
	orig, _ := words(phrase)
	return joinWords(orig)
}

func sumColumn(r *opsbot.Result, name string) uint64 {
	j := r.Col(name)
	var n uint64
	for _, row := range r.Rows {
		if j >= 0 {
			if v, ok := row[j].(uint64); ok {
				n += v
			}
		}
	}
	return n
}

// Explain returns the SQL and the bound parameters a phrase runs, without
// running it.
func (e *Engine) Explain(phrase string, now time.Time) (string, opsbot.Params, error) {
	pl, err := e.Plan(phrase, now)
	if err != nil {
		return "", nil, err
	}
	n, err := e.Named(pl.Query)
	if err != nil {
		return "", nil, err
	}
	return n.SQL, pl.Params, nil
}

// ExplainReply is the chat answer to `explain PHRASE`: the named query, its
// parameters and a clickhouse-client command that runs it unchanged.
func (e *Engine) ExplainReply(phrase string, now time.Time) (*opsbot.Reply, error) {
	pl, err := e.Plan(phrase, now)
	if err != nil {
		return nil, err
	}
	n, err := e.Named(pl.Query)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("```\n%s```\nParameters:\n```\n%s```\nRun it yourself:\n```\n%s\n```",
		n.SQL, paramLines(n, pl.Params), n.CommandLine(pl.Params))
	if pl.Query == "top_by_ip" && certifiable(pl.Params) {
		text += "\nThe same rows come first from the hourly top-client summaries when they prove them " +
			"(sql/queries/top_clients_summary.sql, then top_clients_counts.sql); this scan answers otherwise."
	}
	text += slowExplain(pl)
	return &opsbot.Reply{Title: fmt.Sprintf("explain %s → sql/queries/%s.sql", phraseOnly(phrase), n.Name), Text: text,
		Context: pl.Window.String(e.opts.Location)}, nil
}

func paramLines(n *sql.Named, p opsbot.Params) string {
	s := ""
	for _, q := range n.Params {
		s += fmt.Sprintf("%-12s %-22s %q\n", q.Name, q.Type, p[q.Name])
	}
	return s
}
