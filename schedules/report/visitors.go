package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsbot/opsbot/warehouse"
)

// maxListed is how many items one list of daily_visitors may hold (the
// bits of a 64-bit mask but bit 0).
const maxListed = 63

// visitorList is one of the report's lists whose items show visitors: the
// parameter of daily_visitors naming its items and the column answering.
type visitorList struct {
	param, column string
	items         *[]Item
}

func (r *Report) visitorLists() []visitorList {
	return []visitorList{
		{"paths", "paths", &r.Requested}, {"paths", "paths", &r.Static},
		{"paths", "paths4xx", &r.Paths4xx}, {"paths", "paths5xx", &r.Paths5xx}, {"paths", "paths404", &r.NotFound},
		{"oses", "oses", &r.OS}, {"browsers", "browsers", &r.Browsers},
		{"hosts", "hosts", &r.Hosts}, {"referrers", "referrers", &r.Referrers},
		{"countries", "countries", &r.Countries}, {"caches", "caches", &r.Cache}, {"edges", "edges", &r.Edges},
	}
}

// visitors fills in the distinct clients of every listed item, the one
// figure no rollup holds: daily_visitors reads the day's rows once per 63
// listed paths (once with the default top 5).
func (j *Job) visitors(ctx context.Context, r *Report) error {
	names := map[string][]string{}
	seen := map[string]map[string]bool{}
	for _, l := range r.visitorLists() {
		if seen[l.param] == nil {
			seen[l.param] = map[string]bool{}
		}
		for _, it := range *l.items {
			if !seen[l.param][it.Name] {
				seen[l.param][it.Name] = true
				names[l.param] = append(names[l.param], it.Name)
			}
		}
	}
	got := map[string]map[string]uint64{} // column → name → visitors
	paths := names["paths"]
	for first := true; first || len(paths) > 0; first = false {
		batch := map[string][]string{"paths": paths[:min(len(paths), maxListed)]}
		paths = paths[len(batch["paths"]):]
		if first {
			for _, p := range []string{"oses", "browsers", "hosts", "referrers", "countries", "caches", "edges"} {
				batch[p] = names[p]
			}
		}
		if err := j.readVisitors(ctx, r, batch, got); err != nil {
			return err
		}
	}
	for _, l := range r.visitorLists() {
		for i, it := range *l.items {
			(*l.items)[i].Visitors = got[l.column][it.Name]
		}
	}
	return nil
}

// readVisitors runs daily_visitors for the lists in batch and adds the
// answers to got.
func (j *Job) readVisitors(ctx context.Context, r *Report, batch map[string][]string, got map[string]map[string]uint64) error {
	p := r.params()
	for _, param := range []string{"paths", "oses", "browsers", "hosts", "referrers", "countries", "caches", "edges"} {
		if len(batch[param]) > maxListed {
			return fmt.Errorf("visitors: %d %s listed, at most %d", len(batch[param]), param, maxListed)
		}
		p[param] = arrayParam(batch[param])
	}
	res, err := j.run(ctx, "daily_visitors", p)
	if err != nil || len(res.Rows) == 0 {
		return err
	}
	x := warehouse.RowsOf(res)[0]
	for _, col := range []string{"paths", "paths4xx", "paths5xx", "paths404", "oses", "browsers", "hosts", "referrers", "countries", "caches", "edges"} {
		param := col
		if strings.HasPrefix(col, "paths") {
			param = "paths"
		}
		counts, _ := x.Get(col).([]any)
		if got[col] == nil {
			got[col] = map[string]uint64{}
		}
		for i, c := range counts {
			if i < len(batch[param]) {
				got[col][batch[param][i]] = warehouse.Uint64(c)
			}
		}
	}
	return nil
}

// arrayParam is an Array(String) parameter's text: each element quoted
// as a ClickHouse string literal (the engine escapes the whole value once
// more as a parameter).
func arrayParam(vs []string) string {
	quote := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + quote.Replace(v) + "'")
	}
	b.WriteByte(']')
	return b.String()
}
