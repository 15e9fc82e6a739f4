package infra

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
)

// maxListed caps each list in a report's text; the table has everything.
const maxListed = 15

// daily is the daily report's material.
type daily struct {
	report    Report
	window    time.Duration
	diff      Diff
	havePrev  bool
	prevAt    time.Time
	prevErr   error
	recordErr error
	history   bool // a store exists: say what changed
	preview   bool // nothing is recorded
}

func (d daily) reply() opsbot.Reply {
	fs := d.report.Findings
	found := filter(fs, func(f Finding) bool { return !f.IsError() && f.Check.Tracked() })
	title := fmt.Sprintf("Infrastructure audit, %s: %s", d.report.Query.Now.Format("Mon 2 Jan 2006"), plural(len(found), "finding"))
	if d.history && d.havePrev {
		title += fmt.Sprintf(", %d new, %d fixed", len(d.diff.New), len(d.diff.Fixed))
	}
	var b strings.Builder
	d.writeSince(&b)
	section(&b, "*New*", d.diff.New, line)
	section(&b, "*Fixed* :tada:", d.diff.Fixed, line)
	writeShame(&b, fs, d.diff.New)
	section(&b, "*Could not check* :warning:", d.report.Errors(), errLine)
	section(&b, fmt.Sprintf("*Instances launched in the last %s*", human(d.window)),
		filter(fs, func(f Finding) bool { return f.Check == CheckInstances && !f.IsError() }), instanceLine)
	if len(found) == 0 && len(d.report.Errors()) == 0 {
		b.WriteString("All clear: nothing to fix. :tada:\n")
	}
	if d.recordErr != nil {
		fmt.Fprintf(&b, "\n:warning: This run could not be recorded (%v): the next report compares with the last recorded run.\n", d.recordErr)
	}
	ctx := fmt.Sprintf("checked in %s · history: SELECT … FROM audit_findings · on demand: mfa audit, security groups, load balancers, instances last 1h", d.report.Took.Round(time.Millisecond))
	if d.preview {
		ctx = "dry run: nothing recorded · " + ctx
	}
	return opsbot.Reply{Title: title, Text: strings.TrimSpace(b.String()), Table: dailyTable(fs, d.diff.New), Context: ctx}
}

func (d daily) writeSince(b *strings.Builder) {
	switch {
	case !d.history:
		return
	case d.prevErr != nil:
		fmt.Fprintf(b, "Could not read the previous run (%v), so nothing is marked new or fixed.\n\n", d.prevErr)
	case !d.havePrev && d.preview:
		b.WriteString("No recorded audit to compare with yet, and a dry run records none: nothing is marked new or fixed.\n\n")
	case !d.havePrev:
		b.WriteString("First recorded audit: nothing to compare with yet.\n\n")
	default:
		fmt.Fprintf(b, "Since the previous run (%s): %d new, %d fixed.\n\n",
			d.prevAt.UTC().Format("Mon 2 Jan 15:04 UTC"), len(d.diff.New), len(d.diff.Fixed))
	}
}

// section writes a titled bullet list, capped at maxListed.
func section(b *strings.Builder, title string, fs []Finding, render func(Finding) string) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "%s (%d)\n", title, len(fs))
	for i, f := range fs {
		if i == maxListed {
			fmt.Fprintf(b, "• … and %d more in the table\n", len(fs)-maxListed)
			break
		}
		b.WriteString("• " + render(f) + "\n")
	}
	b.WriteString("\n")
}

// where is "prod eu-west-1", "prod" or "github/acme".
func where(f Finding) string {
	if f.Region == "" {
		return f.Account
	}
	return f.Account + " " + f.Region
}

func line(f Finding) string {
	s := fmt.Sprintf("%s · %s · %s: %s", f.Severity, where(f), f.Resource, f.Detail)
	if f.Owner != "" {
		s += " (owner: " + f.Owner + ")"
	}
	return s
}

func errLine(f Finding) string {
	if f.Resource != "" && !strings.Contains(f.Detail, f.Resource) {
		return where(f) + " · " + f.Resource + ": " + f.Detail
	}
	return where(f) + ": " + f.Detail
}

func instanceLine(f Finding) string {
	s := fmt.Sprintf("%s · %s: %s, launched %s", where(f), f.Resource, f.Detail, f.At.UTC().Format("2 Jan 15:04 UTC"))
	if f.Owner != "" {
		s += " (owner: " + f.Owner + ")"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// human renders a window: 1h, 24h, 7d, 90m.
func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}
