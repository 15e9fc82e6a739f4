package actions

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/edge/redirect"
)

// maxImportRows bounds one import: a bigger map goes in several files.
const maxImportRows = 1000

// importRow is one CSV row, checked.
type importRow struct {
	line    int
	a       redirectArgs
	verdict string // "add", "replace …", or the refusal
	ok      bool
	raw     [2]string // source and target as written, shown for a row that did not parse
}

// importFile answers `redirects import FILE.csv [--skip-bad] [--dry-run]`:
// rows `source,target[,status]` checked one by one with the policy
// against each edge's map as the earlier rows leave it; any refused row
// stops the import unless --skip-bad; what is left is one change,
// previewed and confirmed like `redirect`.
//
// Requests carry no attachments, so the file is a path read by this
// process: only from the terminal chat (its own user's process), never
// over Slack or the local socket (whose server may read files its
// client may not).
func (rs *Redirects) importFile(ctx context.Context, req *opsbot.Request, args []string) (*opsbot.Reply, error) {
	var path string
	skip, dry := false, false
	for _, w := range args {
		switch w {
		case "--skip-bad":
			skip = true
		case "--dry-run", "--dryrun":
			dry = true
		default:
			path = w
		}
	}
	if path == "" {
		return refuse(ctx, "", opsbot.Invalidf("usage: `redirects import FILE.csv [--skip-bad] [--dry-run]`, rows `source,target[,status]`")), nil
	}
	if req.Transport != "terminal" {
		return refuse(ctx, "redirects import", opsbot.Invalidf("`redirects import` reads a file path, in the terminal chat (`opsbot chat`) only: Slack attachments are not passed to commands yet")), nil
	}
	rows, err := rs.readCSV(path)
	if err != nil {
		return refuse(ctx, "redirects import "+path, err), nil
	}
	if err := rs.checkRows(ctx, rows); err != nil {
		return nil, err
	}
	return rs.importReply(ctx, req, path, rows, skip, dry), nil
}

// readCSV reads the rows (a header row source,target… is skipped).
func (rs *Redirects) readCSV(path string) ([]*importRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, opsbot.NotFoundf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var rows []*importRow
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, opsbot.Invalidf("%s is not CSV: %w", path, err)
		}
		if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "source") {
			continue
		}
		if len(rows) == maxImportRows {
			return nil, opsbot.Invalidf("%s has more than %d rows: split it", path, maxImportRows)
		}
		rows = append(rows, rs.parseRow(line, rec))
	}
	if len(rows) == 0 {
		return nil, opsbot.Invalidf("%s holds no rows: write `source,target[,status]` lines", path)
	}
	return rows, nil
}

func (rs *Redirects) parseRow(line int, rec []string) *importRow {
	row := &importRow{line: line}
	copy(row.raw[:], rec)
	if len(rec) < 2 || len(rec) > 3 {
		row.verdict = fmt.Sprintf("%d columns: write source,target[,status]", len(rec))
		return row
	}
	args := []string{strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])}
	if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
		args = append(args, strings.TrimSpace(rec[2]))
	}
	a, err := rs.parse(args)
	if err == nil && a.reason != "" {
		err = fmt.Errorf("status %s: a redirect answers 301, 302, 307 or 308", a.reason)
	}
	if err != nil {
		row.verdict = opsbot.ErrorText(err)
		return row
	}
	row.a, row.ok = a, true
	return row
}

// checkRows checks each parsed row at every edge, against the edge's map
// with the earlier good rows in it.
func (rs *Redirects) checkRows(ctx context.Context, rows []*importRow) error {
	seen := map[string]int{}
	for _, row := range rows {
		if !row.ok {
			continue
		}
		if l, dup := seen[row.a.rule.From]; dup {
			row.ok, row.verdict = false, fmt.Sprintf("%s is on line %d already", row.a.rule.From, l)
			continue
		}
		seen[row.a.rule.From] = row.line
	}
	for _, e := range rs.edges {
		have, err := e.List(ctx)
		if err != nil {
			return fmt.Errorf("%s: read the map: %w", e.Name(), err)
		}
		m := redirect.Map(have)
		for _, row := range rows {
			if row.ok {
				rs.checkRow(e, m, row)
			}
		}
	}
	return nil
}

func (rs *Redirects) checkRow(e Redirector, m map[string]redirect.Rule, row *importRow) {
	caps, r := e.Caps(), row.a.rule
	_, exists := m[r.From]
	err := caps.Allows(r)
	if err == nil {
		err = caps.Fits(r.From, r.Value())
	}
	if err == nil && !exists {
		err = caps.Room(len(m))
	}
	if err == nil {
		err = rs.policy.Check(m, r, row.a.target, true, caps.Depth)
	}
	switch {
	case err != nil:
		row.ok, row.verdict = false, e.Name()+": "+err.Error()
	case exists && m[r.From] != r:
		row.verdict = "replace " + m[r.From].To
	case exists && row.verdict == "":
		row.verdict = "as it is now"
	case row.verdict == "":
		row.verdict = "add"
	}
	m[r.From] = r
}

var importColumns = []opsbot.Column{{Name: "line", Type: "UInt64"}, {Name: "source", Type: "String"}, {Name: "target", Type: "String"},
	{Name: "status", Type: "UInt16"}, {Name: "verdict", Type: "String"}}

// importReply previews the rows and, unless refused rows stop it or it
// is a dry run, opens the confirmation of the good ones as one change.
func (rs *Redirects) importReply(ctx context.Context, req *opsbot.Request, path string, rows []*importRow, skip, dry bool) *opsbot.Reply {
	preview := &opsbot.Result{Columns: importColumns}
	var good []redirectArgs
	offsite, bad := false, 0
	for _, row := range rows {
		v := row.verdict
		if !row.ok {
			v, bad = "REFUSED: "+v, bad+1
		} else {
			good = append(good, row.a)
			offsite = offsite || row.a.target.Offsite
		}
		from, to := row.a.rule.From, row.a.rule.To
		if from == "" {
			from, to = row.raw[0], row.raw[1]
		}
		preview.Rows = append(preview.Rows, []any{uint64(row.line), from, to, uint64(row.a.rule.Status), v})
	}
	action := fmt.Sprintf("redirects import %s: %d rules at %s", path, len(good), rs.edgeNames())
	if bad > 0 {
		action += fmt.Sprintf(" (%d rows skipped)", bad)
	}
	switch {
	case bad > 0 && !skip:
		return &opsbot.Reply{Title: fmt.Sprintf("Import refused: %d of %d rows cannot be added", bad, len(rows)), Table: preview, Ephemeral: true,
			Text: "Nothing was changed. Fix the REFUSED rows, or add --skip-bad to import the others."}
	case len(good) == 0:
		return &opsbot.Reply{Title: "Import: no row can be added", Table: preview, Ephemeral: true, Text: "Nothing was changed."}
	case dry:
		bot.NoteFrom(ctx).Action(action + " (dry run)")
		return &opsbot.Reply{Title: "Dry run: " + action, Table: preview, Text: "Nothing was changed. Run it without --dry-run to import."}
	}
	method, why := rs.method(ctx, req, "redirect", offsite)
	run := func(ctx context.Context, approval string) (*opsbot.Reply, error) {
		return rs.runImport(ctx, req, good, action, approval), nil
	}
	r := rs.s.openWith(ctx, req, "redirect", method, action, run, nil)
	r.Text = strings.TrimSpace(why + "\n" + r.Text)
	r.Table = preview
	return r
}

// runImport writes the rules at each edge once confirmed, recording each.
func (rs *Redirects) runImport(ctx context.Context, req *opsbot.Request, good []redirectArgs, action, approval string) *opsbot.Reply {
	now := rs.s.o.Now()
	lines, failed := rs.atEachEdge(func(e Redirector) (string, error) {
		for i, a := range good {
			if _, err := e.Put(ctx, a.rule); err != nil {
				return "", fmt.Errorf("%d of %d written, then %s: %w", i, len(good), a.rule.From, err)
			}
			rec := redirectRecord{Edge: e.Name(), Source: a.rule.From, Target: a.rule.To, Status: a.rule.Status, ByID: req.User.ID,
				ByName: req.User.Name, Reason: "import", Approval: approval, Created: now, State: StateActive}
			if err := rs.recs.put(context.WithoutCancel(ctx), rec); err != nil {
				return "", fmt.Errorf("%d of %d written, but opsbot's record of %s failed (%w)", i+1, len(good), a.rule.From, err)
			}
		}
		return fmt.Sprintf("%d rules written", len(good)), nil
	})
	return rs.s.outcome(ctx, req, action, approval, lines, failed)
}
