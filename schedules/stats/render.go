package stats

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsbot/opsbot"
)

// Render is the post: one block per section, trends in a table.
func Render(r *Report) opsbot.Reply {
	var b strings.Builder
	if r.HistoryErr != nil {
		fmt.Fprintf(&b, "⚠ could not read earlier weeks from org_stats, so no comparison: %s\n\n", opsbot.ErrorText(r.HistoryErr))
	} else if !r.History.Has() {
		b.WriteString("_No history yet: this is the first window on record, comparisons start with the next one._\n\n")
	}
	for _, sec := range r.Sections {
		renderSection(&b, r, sec)
	}
	if r.StoreErr != nil {
		fmt.Fprintf(&b, "⚠ these figures could not be stored in org_stats: %s\n", opsbot.ErrorText(r.StoreErr))
	}
	reply := opsbot.Reply{Title: r.Title(), Text: strings.TrimRight(b.String(), "\n"), Context: r.context()}
	if r.ChartErr != nil {
		reply.Text += "\n⚠ no chart: " + r.ChartErr.Error()
	} else if r.Chart != nil {
		reply.Files = []opsbot.File{{Name: "org-stats.png", Title: "Headline trends, " + fmt.Sprint(ChartWeeks) + " weeks", MimeType: "image/png", Data: r.Chart}}
	}
	return reply
}

// Title names the window in the report's time zone.
func (r *Report) Title() string {
	s, u := r.Window.Since.In(r.Location), r.Window.Until.In(r.Location)
	if r.Window.Kind == Week {
		return fmt.Sprintf("Organization statistics, week of %s (to %s, %s)", s.Format("Mon 2 Jan 2006"),
			u.Add(-time.Millisecond).Format("Sun 2 Jan"), s.Format("MST"))
	}
	return fmt.Sprintf("Organization statistics, %s (%s – %s %s)", r.Window.Label,
		s.Format("Mon 2 Jan 15:04"), u.Format("Mon 2 Jan 15:04"), u.Format("MST"))
}

func (r *Report) context() string {
	if r.Window.Kind == Week {
		return "weekly · figures in org_stats (window = 'week') · `stats` in chat shows the last full week, `stats 24h` any window"
	}
	return "compared with the window of the same length just before, read live · not stored · `stats` alone: the last full week with trends"
}

func renderSection(b *strings.Builder, r *Report, sec Section) {
	fmt.Fprintf(b, "*%s*\n", sec.Title)
	for _, e := range sec.Errors {
		fmt.Fprintf(b, "⚠ %s\n", e)
	}
	if t := r.trendTable(sec.Figures); t != "" {
		b.WriteString("```\n" + t + "```\n")
	}
	for _, line := range r.details(sec.Figures) {
		b.WriteString(line + "\n")
	}
	for _, n := range sec.Notes {
		fmt.Fprintf(b, "_%s_\n", n)
	}
	b.WriteString("\n")
}

// trendTable shows the section's totals against the previous window and
// the four-week median.
func (r *Report) trendTable(fs []Figure) string {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', tabwriter.AlignRight)
	prevName := "last week"
	if r.Window.Kind != Week {
		prevName = "window before"
	}
	weekly := r.Window.Kind == Week
	compare := !weekly || r.History.Has() // the first week compares with nothing
	head := "\tthis " + map[bool]string{true: "week", false: "window"}[weekly] + "\t"
	if compare {
		head += prevName + "\tchange\t"
	}
	if weekly && compare {
		head += "4-week median\t"
	}
	services := costRows(r.Top, fs) // the costliest services, under the total
	width := 0
	for i, f := range fs {
		width = max(width, len([]rune(f.Metric.Label)))
		if services[i] {
			width = max(width, len([]rune(rowLabel(f))))
		}
	}
	fmt.Fprintln(tw, strings.Repeat(" ", width)+head)
	rows := 0
	for i, f := range fs {
		if f.Dimension != "" && !services[i] {
			continue
		}
		rows++
		// Labels padded by hand: tabwriter right-aligns every column.
		label := rowLabel(f)
		line := label + strings.Repeat(" ", width-len([]rune(label))) + "\t" + f.Metric.Unit.Format(f.Value) + "\t"
		if compare {
			line += r.previousCells(f)
		}
		if weekly && compare {
			line += r.medianCell(f) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if rows == 0 {
		return ""
	}
	return sb.String()
}

// previousCells are the previous window's value and the change (of the
// same dimension, for a service's cost).
func (r *Report) previousCells(f Figure) string {
	prev, ok := r.History.Of(f, r.Previous.Since)
	if !ok || !f.Metric.Trend {
		return "–\t\t"
	}
	return f.Metric.Unit.Format(prev) + "\t" + change(f.Metric.Unit, f.Value, prev) + "\t"
}

func (r *Report) medianCell(f Figure) string {
	m, n := r.Median(key(f))
	switch {
	case !f.Metric.Trend || n == 0:
		return "–"
	case n < 4:
		return f.Metric.Unit.Format(m) + fmt.Sprintf(" (%d wk)", n)
	}
	return f.Metric.Unit.Format(m)
}

// change is v against prev: percentage points for ratios, percent
// otherwise; "new" from zero.
func change(u Unit, v, prev float64) string {
	if u == Ratio {
		return fmt.Sprintf("%+.2f pp", (v-prev)*100)
	}
	switch {
	case prev == 0 && v == 0:
		return "="
	case prev == 0:
		return "new"
	}
	pct := (v - prev) / prev * 100
	if math.Abs(pct) < 0.05 {
		return "="
	}
	return fmt.Sprintf("%+.1f %%", pct)
}

// details are the dimensioned figures: busiest day and hour, then one
// line per broken-down metric (countries; findings per account when
// there are several accounts, since the table shows the total).
func (r *Report) details(fs []Figure) []string {
	var out []string
	lists := map[string][]string{}
	var order []Metric
	for _, f := range fs {
		switch {
		case f.Dimension == "" || isCost(f): // the costliest services are in the table
		case f.Metric == OldestOpen:
			if lists[f.Metric.Name] == nil {
				order = append(order, f.Metric)
			}
			lists[f.Metric.Name] = append(lists[f.Metric.Name], f.Dimension+" ("+ageText(f.Value)+")")
		case f.Metric == BusiestDay || f.Metric == BusiestHour:
			out = append(out, fmt.Sprintf("%s: %s (%s requests)", f.Metric.Label, f.Dimension, f.Metric.Unit.Format(f.Value)))
		default:
			if lists[f.Metric.Name] == nil {
				order = append(order, f.Metric)
			}
			lists[f.Metric.Name] = append(lists[f.Metric.Name], f.Dimension+" "+f.Metric.Unit.Format(f.Value)+r.delta(f))
		}
	}
	for _, m := range order {
		if m != Country && m != OldestOpen && (len(lists[m.Name]) < 2 || strings.HasPrefix(m.Label, " ")) {
			continue
		}
		out = append(out, m.Label+": "+strings.Join(lists[m.Name], " · "))
	}
	return out
}

// ageText is an age in whole days, or hours under two days.
func ageText(seconds float64) string {
	if seconds < 2*86400 {
		return fmt.Sprintf("%.0f h", seconds/3600)
	}
	return fmt.Sprintf("%.0f days", seconds/86400)
}

// delta is a broken-down trend figure's change since the previous window
// (" (+2)", " (=)", " (new)"), or "" without history.
func (r *Report) delta(f Figure) string {
	if !f.Metric.Trend || !r.History.Has() {
		return ""
	}
	prev, ok := r.History.Of(f, r.Previous.Since)
	switch {
	case !ok:
		return " (new)"
	case prev == f.Value:
		return " (=)"
	}
	return " (" + fmt.Sprintf("%+g", f.Value-prev) + ")"
}
