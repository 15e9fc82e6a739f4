package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot/internal/text"

	"github.com/opsbot/opsbot"
)

// Render is the report as a chat reply, the chart attached.
func Render(r *Report) opsbot.Reply {
	var b strings.Builder
	coverage(&b, r)
	headline(&b, r)
	section(&b, "Top 4xx clients", cols{"ip", "top path"}, r.Clients4xx)
	section(&b, "Top 4xx paths", cols{"path", ""}, r.Paths4xx)
	section(&b, "Top 5xx clients", cols{"ip", "top path"}, r.Clients5xx)
	section(&b, "Top 5xx paths", cols{"path", ""}, r.Paths5xx)
	slowest(&b, r.Slowest)
	section(&b, "New in the top clients (not in the 7-day top "+strconv.Itoa(r.Top*2)+")", cols{"ip", "top path (status)"}, r.NewClients)
	section(&b, "Requested files", cols{"path", ""}, r.Requested)
	section(&b, "Static requests", cols{"path", ""}, r.Static)
	section(&b, "Not found (404)", cols{"path", ""}, r.NotFound)
	section(&b, "Visitor IPs", cols{"ip", "top path"}, r.Visitors)
	section(&b, "Operating systems", cols{"system", ""}, r.OS)
	section(&b, "Browsers", cols{"browser", ""}, r.Browsers)
	section(&b, "Virtual hosts", cols{"host", ""}, r.Hosts)
	section(&b, "Referring sites", cols{"site", ""}, r.Referrers)
	section(&b, "Countries", cols{"country", ""}, r.Countries)
	section(&b, "Cache status", cols{"cache status", ""}, r.Cache)
	section(&b, "Edge locations", cols{"edge location", ""}, r.Edges)
	hours(&b, r.Hours, r.Day.Location())
	ingest(&b, r.Ingest)
	day := r.Day.Format("Mon 2 Jan 2006")
	reply := opsbot.Reply{
		Title: "Daily log analysis: " + day + " (" + r.Day.Location().String() + ")",
		Text:  strings.TrimSpace(b.String()),
		Context: fmt.Sprintf("%s–%s UTC · dig: opsbot top 4xx by ip yesterday · opsbot slowest paths last 24h",
			r.Since.Format("2006-01-02 15:04"), r.Until.Format("2006-01-02 15:04")),
	}
	if len(r.Chart) > 0 {
		reply.Files = []opsbot.File{{Name: "requests-" + r.Day.Format("2006-01-02") + ".png",
			Title: "Requests and errors per 5 minutes, " + day, MimeType: "image/png", Data: r.Chart}}
	}
	return reply
}

// gapAllowed is how far the first or last request may be from the day's
// bounds before the report says the data covers part of the day only.
const gapAllowed = time.Hour

// coverage says so when the data covers only part of the day (ingest
// started late, or stopped): the figures are then not a full day's.
func coverage(b *strings.Builder, r *Report) {
	if len(r.Series) == 0 {
		return
	}
	first, last := r.Series[0].T, r.Series[len(r.Series)-1].T.Add(5*time.Minute)
	if first.Sub(r.Since) <= gapAllowed && r.Until.Sub(last) <= gapAllowed {
		return
	}
	loc := r.Day.Location()
	fmt.Fprintf(b, "*Partial day:* data covers %s–%s %s only; the figures below are for that part of the day\n",
		clock(first, r.Until, loc), clock(last, r.Until, loc), loc)
}

// clock is t's time of day in loc, 24:00 for the day's end.
func clock(t, end time.Time, loc *time.Location) string {
	if !t.Before(end) {
		return "24:00"
	}
	return t.In(loc).Format("15:04")
}

func headline(b *strings.Builder, r *Report) {
	t, lw := r.Totals, r.LastWeek
	vs := r.Day.AddDate(0, 0, -7).Format("Mon 2 Jan")
	chg := func(now, before uint64) string {
		if lw.Requests == 0 {
			return ""
		}
		return " (" + Change(now, before) + ")"
	}
	first := "no data for " + vs
	if lw.Requests > 0 {
		first = Change(t.Requests, lw.Requests) + " vs " + vs
	}
	fmt.Fprintf(b, "*Requests* %s (%s) · *visitors* %s%s · *sent* %s%s · *received* %s\n",
		Num(t.Requests), first, Num(t.Visitors), chg(t.Visitors, lw.Visitors), Bytes(t.BytesOut), chg(t.BytesOut, lw.BytesOut), Bytes(t.BytesIn))
	lwHit, lwP95 := "n/a", "n/a"
	if lw.Requests > 0 {
		lwHit, lwP95 = Pct(lw.CacheHitRatio()), fmt.Sprintf("%.3fs", lw.P95)
	}
	fmt.Fprintf(b, "*Cache hit ratio* %s (last week %s) · *time taken* p50 %.3fs, p95 %.3fs (last week p95 %s) · *static* %s\n",
		Pct(t.CacheHitRatio()), lwHit, t.P50, t.P95, lwP95, Share(t.Static, t.Requests))
	fmt.Fprintf(b, "*Status* 2xx %s · 3xx %s · 4xx %s (%s) · 5xx %s (%s) · 000 %s\n",
		Share(t.S2xx, t.Requests), Share(t.S3xx, t.Requests), Share(t.S4xx, t.Requests), Num(t.S4xx),
		Share(t.S5xx, t.Requests), Num(t.S5xx), Share(t.S000, t.Requests))
	var codes []string
	for _, s := range r.Status {
		codes = append(codes, text.Status("status", s.Name)+" "+Num(s.Requests))
	}
	if len(codes) > 0 {
		fmt.Fprintf(b, "*Status codes* %s\n", strings.Join(codes, " · "))
	}
	if t.S000 > 0 {
		fmt.Fprintf(b, "_%s_\n", text.NoResponse)
	}
}

// cols name a section's first column and its Extra column ("": none).
type cols struct{ name, extra string }

// section writes one small table under a header row: the name column,
// requests, then visitors and bytes when any item has them, then Extra.
func section(b *strings.Builder, title string, c cols, items []Item) {
	fmt.Fprintf(b, "\n*%s*\n", title)
	if len(items) == 0 {
		b.WriteString("_none_\n")
		return
	}
	w := len(c.name)
	var visitors, bytes bool
	for _, it := range items {
		w = max(w, len([]rune(text.Cut(text.Value(it.Name), 48))))
		visitors, bytes = visitors || it.Visitors > 0, bytes || it.Bytes > 0
	}
	row := func(name, requests, vis, byt, extra string) {
		line := fmt.Sprintf("%-*s %10s", w, name, requests)
		if visitors {
			line += fmt.Sprintf("  %8s", vis)
		}
		if bytes {
			line += fmt.Sprintf("  %9s", byt)
		}
		if c.extra != "" {
			line += "  " + extra
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteString("```\n")
	row(c.name, "requests", "visitors", "bytes", c.extra)
	for _, it := range items {
		row(text.Cut(text.Value(it.Name), 48), Num(it.Requests), Num(it.Visitors), Bytes(it.Bytes), text.Cut(text.Value(it.Extra), 40))
	}
	b.WriteString("```\n")
}

func slowest(b *strings.Builder, s []Slow) {
	b.WriteString("\n*Slowest paths (p95, at least 20 requests)*\n")
	if len(s) == 0 {
		b.WriteString("_none_\n")
		return
	}
	b.WriteString("```\n")
	fmt.Fprintf(b, "%-40s %12s  %12s  %9s\n", "path", "p95", "p50", "requests")
	for _, x := range s {
		fmt.Fprintf(b, "%-40s %11.3fs  %11.3fs  %9s\n", text.Cut(text.Value(x.Path), 40), x.P95, x.P50, Num(x.Requests))
	}
	b.WriteString("```\n")
}

func hours(b *strings.Builder, hs []Hour, loc *time.Location) {
	b.WriteString("\n*Time distribution*\n```\n")
	fmt.Fprintf(b, "%-4s %9s %6s\n", "hour", "requests", "errors")
	var top uint64
	for _, h := range hs {
		top = max(top, h.Requests)
	}
	for _, h := range hs {
		bar := strings.Repeat("█", int(20*h.Requests/max(top, 1)))
		fmt.Fprintf(b, "%-4s %9s %6s  %s\n", h.Start.In(loc).Format("15h"), Num(h.Requests), Num(h.Errors), bar)
	}
	b.WriteString("```\n")
}

func ingest(b *strings.Builder, in Ingest) {
	b.WriteString("\n*Ingest*\n")
	if !in.Manifest {
		b.WriteString("no ingest manifest (ingest_objects) on this warehouse: objects, rejected lines and lag unknown\n")
		return
	}
	fmt.Fprintf(b, "%s objects loaded, %s failed · %s rows · %s rejected lines · worst delay %s · last load %s\n",
		Num(in.Objects), Num(in.Failed), Num(in.Rows), Num(in.Rejected), in.MaxDelay, stamp(in.LastLoaded))
	for _, f := range in.Failures {
		fmt.Fprintf(b, "• failed: `%s` after %d attempt(s): %s\n", text.Cut(text.Value(f.Key), 80), f.Attempts, text.Cut(text.Value(f.Error), 200))
	}
}

func stamp(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// Num writes n with thousands separators.
func Num(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Bytes is n in binary units.
func Bytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Pct is a ratio as a percentage.
func Pct(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }

// Share is part of whole as a percentage.
func Share(part, whole uint64) string {
	if whole == 0 {
		return "0.0%"
	}
	return Pct(float64(part) / float64(whole))
}

// Change is the relative change from before to now ("+3.1%", "new").
func Change(now, before uint64) string {
	if before == 0 {
		if now == 0 {
			return "±0"
		}
		return "no data a week before"
	}
	d := (float64(now) - float64(before)) / float64(before)
	return fmt.Sprintf("%+.1f%%", 100*d)
}
