package infra

import (
	"time"

	"github.com/opsbot/opsbot"
)

// column is one table column: its header and its value for a finding.
type column struct {
	name string
	val  func(Finding) any
}

var (
	colSeverity = column{"severity", func(f Finding) any { return string(f.Severity) }}
	colCheck    = column{"check", func(f Finding) any { return string(f.Check) }}
	colAccount  = column{"account", func(f Finding) any { return f.Account }}
	colRegion   = column{"region", func(f Finding) any { return f.Region }}
	colWhere    = column{"where", func(f Finding) any { return where(f) }}
	colOwner    = column{"owner", func(f Finding) any { return f.Owner }}
	colDetail   = column{"detail", func(f Finding) any { return f.Detail }}
	colLaunched = column{"launched", func(f Finding) any { return at(f) }}
)

func colResource(name string) column {
	return column{name, func(f Finding) any { return f.Resource }}
}

// at is the finding's start time, or nil.
func at(f Finding) any {
	if f.At.IsZero() {
		return nil
	}
	return f.At.UTC().Truncate(time.Second)
}

// table lists findings for chat, one row each.
func table(fs []Finding, cols ...column) *opsbot.Result {
	r := &opsbot.Result{}
	for _, c := range cols {
		typ := "String"
		if c.name == colLaunched.name {
			typ = "DateTime('UTC')"
		}
		r.Columns = append(r.Columns, opsbot.Column{Name: c.name, Type: typ})
	}
	for _, f := range fs {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = c.val(f)
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

// dailyTable is the daily report's table, with what is new marked.
func dailyTable(fs, fresh []Finding) *opsbot.Result {
	isNew := keyed(fresh)
	change := column{"change", func(f Finding) any {
		if isNew[f.Key()] {
			return "new"
		}
		return ""
	}}
	return table(fs, colSeverity, colCheck, colWhere, colResource("resource"), colOwner, colDetail, change)
}
