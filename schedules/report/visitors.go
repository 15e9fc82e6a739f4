package report

import (
	"context"
	"strings"

	"github.com/opsbot/opsbot/warehouse"
)

// visitorLists are the report's lists whose items show visitors, by the
// list name daily_visitors answers with, and the parameter naming them.
func (r *Report) visitorLists() []struct {
	list, param string
	items       *[]Item
} {
	return []struct {
		list, param string
		items       *[]Item
	}{
		{"path", "paths", &r.Requested}, {"path", "paths", &r.Static},
		{"path4xx", "paths", &r.Paths4xx}, {"path5xx", "paths", &r.Paths5xx}, {"path404", "paths", &r.NotFound},
		{"os", "oses", &r.OS}, {"browser", "browsers", &r.Browsers},
		{"host", "hosts", &r.Hosts}, {"referrer", "referrers", &r.Referrers},
		{"country", "countries", &r.Countries}, {"cache", "caches", &r.Cache}, {"edge", "edges", &r.Edges},
	}
}

// visitors fills in the distinct clients of every listed item: the one
// figure no rollup holds, read from the day's rows in a single pass.
func (j *Job) visitors(ctx context.Context, r *Report) error {
	names := map[string][]string{}
	for _, l := range r.visitorLists() {
		for _, it := range *l.items {
			names[l.param] = append(names[l.param], it.Name)
		}
	}
	p := r.params()
	for _, param := range []string{"paths", "oses", "browsers", "hosts", "referrers", "countries", "caches", "edges"} {
		p[param] = arrayParam(names[param])
	}
	res, err := j.run(ctx, "daily_visitors", p)
	if err != nil {
		return err
	}
	got := map[[2]string]uint64{}
	for _, x := range warehouse.RowsOf(res) {
		got[[2]string{x.S("list"), x.S("name")}] = x.U("visitors")
	}
	for _, l := range r.visitorLists() {
		for i := range *l.items {
			(*l.items)[i].Visitors = got[[2]string{l.list, (*l.items)[i].Name}]
		}
	}
	return nil
}

// arrayParam is an Array(String) parameter's text: each element quoted
// as a ClickHouse string literal (the engine escapes the whole value once
// more as a parameter).
func arrayParam(vs []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\'')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v))
		b.WriteByte('\'')
	}
	b.WriteByte(']')
	return b.String()
}
