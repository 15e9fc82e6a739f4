package slack

import (
	"fmt"
	"strings"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// Where an answer's files went, or why they could not go with it: the end
// of the note under it.
const (
	sentToDM         = "sent to the asker in a direct message from opsbot"
	notAttachedHere  = "could not be attached here (opsbot is not in this channel)"
	notWithEphemeral = "cannot go with a message only you see"
)

// csvNote is the line under a truncated table: the rows shown, then rest
// (where every row is). "" when the plan has no CSV.
func (p plan) csvNote(rest string) string {
	if p.CSV == nil {
		return ""
	}
	return fmt.Sprintf("_Rows 1–%s of %s shown; %s_", text.Thousands(fmt.Sprint(p.Shown)), text.Thousands(fmt.Sprint(p.Rows)), rest)
}

// filesNote says, under an answer sent without its files, where its CSV
// and charts are: sent (such as sentToDM) when they went elsewhere, or why
// they could not go and how to get the rows. "" when there are none.
func filesNote(p plan, charts []opsbot.File, sent, why, question string) string {
	var lines []string
	switch {
	case p.CSV != nil && sent != "":
		lines = append(lines, p.csvNote("every row is in "+p.CSV.Name+", "+sent+"."))
	case p.CSV != nil:
		lines = append(lines, p.csvNote("the CSV of every row "+why+": "+rowsHint(question)+"."))
	}
	if len(charts) > 0 {
		names := make([]string, len(charts))
		for i, f := range charts {
			names[i] = fit(f.Name, 100)
		}
		lines = append(lines, "_"+strings.Join(names, ", ")+" "+firstOf(sent, why)+"._")
	}
	return strings.Join(lines, "\n")
}

// rowsHint says how to get every row of the answer to question: in a DM
// with the bot, which can attach files, or with `opsbot ask` for a phrase
// (not for raw `sql`, which only chat runs).
func rowsHint(question string) string {
	hint := "ask in a DM with opsbot"
	word, _, _ := strings.Cut(question, " ")
	if question != "" && !strings.EqualFold(word, "sql") {
		phrase := fit(strings.NewReplacer("`", "'", `"`, "'").Replace(question), 200)
		hint += ", or run `opsbot ask --format csv \"" + phrase + "\"` where opsbot runs"
	}
	return hint
}
