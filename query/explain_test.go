package query_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/query"
	"github.com/opsbot/opsbot/sql"
)

// catalog is one phrase per command form.
var catalog = []string{
	"top 4xx by ip", "top 20 404 by path last 24h", "top bytes by host today", "top slow by path yesterday",
	"top errors by user agent for /donate", "top 5xx by pop since 10:00", "top requests by referer on www.example.org",
	"top requests by country", "top requests by asn", "top requests by method for 10.0.0.0/8",
	"top 4xx by status between 2026-11-22 06:00 and 2026-11-22 12:00",
	"hits 104.2.1.1 last 24h", "traffic /donate", "status last 24h", "rate 5xx", "slowest paths", "graph 4xx",
}

// TestExplainRuns: the SQL and parameters explain shows run as they are and
// give the same rows as the answer.
func TestExplainRuns(t *testing.T) {
	w, _ := load(t)
	e := query.New(w, query.Options{})
	now := day.Add(12 * time.Hour)
	for _, p := range catalog {
		sqlText, params, err := e.Explain(p, now)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		direct, err := w.Query(context.Background(), sqlText, params)
		if err != nil {
			t.Fatalf("%s: explained SQL fails: %v", p, err)
		}
		r, err := e.Ask(context.Background(), p, now)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(direct.Rows) != fmt.Sprint(r.Table.Rows) {
			t.Fatalf("%s: explain's SQL gives %v, the answer %v", p, direct.Rows, r.Table.Rows)
		}
	}
	r, err := e.Skill().Handle(context.Background(), &opsbot.Request{Text: "explain top 4xx by ip", Now: now})
	if err != nil || !strings.Contains(r.Text, "--param_status_min=400") || !strings.Contains(r.Text, "sql/queries/top_by_ip.sql") {
		t.Fatalf("explain reply: %v %+v", err, r)
	}
}

// TestNamedFilesDocumentTheirParameters: every file of ours loads; every
// parameter has a default so `opsbot sql run NAME` works without flags.
func TestNamedFilesDocumentTheirParameters(t *testing.T) {
	e := query.New(nil, query.Options{})
	for name, err := range e.Problems() {
		t.Errorf("%s: %v", name, err)
	}
	for _, d := range query.Dimensions {
		if _, err := e.Named("top_by_" + d.Name); err != nil {
			t.Errorf("dimension %s has no file: %v", d.Name, err)
		}
	}
	n, _ := e.Named("top_by_ip")
	p, err := n.Bind(opsbot.Params{"status_min": "400"}, day)
	if err != nil || p["since"] != "2026-11-21 23:00:00.000" || p["status_min"] != "400" || p["limit"] != "10" || p["path"] != "" {
		t.Fatalf("bind: %v %v", p, err)
	}
	if _, err := n.Bind(opsbot.Params{"nope": "1"}, day); err == nil {
		t.Fatal("an unknown parameter was accepted")
	}
	if err := sql.DefaultCatalog().Err(); err != nil {
		t.Fatal(err)
	}
}

// The generated top_by_NAME.sql files are what the template renders now:
// a hand edit of one, or a template change without `go generate`, fails.
func TestTopFilesAreGenerated(t *testing.T) {
	files, err := query.TopFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 9 {
		t.Fatalf("only %d generated files", len(files))
	}
	for name, want := range files {
		got, err := fs.ReadFile(sql.QueryFiles(), name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("sql/queries/%s differs from its template: run `go generate ./query`", name)
		}
	}
}
