// Package rules evaluates the health rules: each runs a named query on a
// schedule, compares its value with a threshold per level (warn, page),
// holds a condition for `for` before firing, keeps firing for
// `keep_firing_for` against flapping, repeats while firing, groups what
// fires together into one post, lets an active page mute its service's
// warnings, and posts a resolved notice in the warning's thread. A rule
// whose query fails or finds no data raises its own warning, never a page.
// State and silences persist in ClickHouse (sql/schema/004).
package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
)

//go:embed default_rules.yaml
var defaultRules []byte

// Rule is one assembled health rule.
type Rule struct {
	Name          string
	Query         string
	Fallback      string
	Params        map[string]string
	Window        time.Duration
	Below         bool // fires when the value is below the thresholds
	Warn, Page    *float64
	For           time.Duration
	KeepFiringFor time.Duration
	Repeat        time.Duration
	Service       string
	Summary       string
	Unit          string
	Dig           string
	Link          string
}

// Load assembles the rules: the built-in ones, a traffic rule per critical
// path, then h.Rules overriding by name or adding.
func Load(h config.Health) ([]Rule, error) {
	var base []config.Rule
	d := yaml.NewDecoder(bytes.NewReader(defaultRules))
	d.KnownFields(true)
	if err := d.Decode(&base); err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	for _, p := range h.CriticalPaths {
		base = append(base, pathRule(p))
	}
	merged := merge(base, h.Rules)
	var out []Rule
	for _, c := range merged {
		if c.Disabled != nil && *c.Disabled {
			continue
		}
		r, err := assemble(c, h)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// pathRule watches traffic on one critical path: below 30% of what the
// hour before predicts warns, (almost) none pages.
func pathRule(p string) config.Rule {
	warn, page := 0.3, 0.01
	return config.Rule{
		Name: "traffic-" + Slug(p), Query: "health_path_rate", Compare: "below",
		Params: map[string]string{"path": p, "baseline_seconds": "3600"},
		Window: dur(5 * time.Minute), Warn: &warn, Page: &page,
		For: dur(5 * time.Minute), KeepFiringFor: dur(5 * time.Minute), Repeat: dur(time.Hour),
		Summary: "traffic on " + p + " against the hour before", Unit: "%",
		Dig: "traffic " + p + " last 3h",
	}
}

// Slug is p as part of a rule name: "/donate" → "donate", "/" → "root".
func Slug(p string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(p) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "root"
}

// merge overlays each override on the base rule of the same name (only the
// fields it sets), and appends new rules.
func merge(base, over []config.Rule) []config.Rule {
	idx := map[string]int{}
	for i, r := range base {
		idx[r.Name] = i
	}
	for _, o := range over {
		i, ok := idx[o.Name]
		if !ok {
			idx[o.Name] = len(base)
			base = append(base, o)
			continue
		}
		overlay(&base[i], o)
	}
	return base
}

func overlay(b *config.Rule, o config.Rule) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	over := func(dst **time.Duration, v *time.Duration) {
		if v != nil {
			*dst = v
		}
	}
	set(&b.Query, o.Query)
	set(&b.Fallback, o.Fallback)
	set(&b.Compare, o.Compare)
	set(&b.Service, o.Service)
	set(&b.Summary, o.Summary)
	set(&b.Unit, o.Unit)
	set(&b.Dig, o.Dig)
	set(&b.Link, o.Link)
	over(&b.Window, o.Window)
	over(&b.For, o.For)
	over(&b.KeepFiringFor, o.KeepFiringFor)
	over(&b.Repeat, o.Repeat)
	if o.Warn != nil {
		b.Warn = o.Warn
	}
	if o.Page != nil {
		b.Page = o.Page
	}
	if o.Disabled != nil {
		b.Disabled = o.Disabled
	}
	for k, v := range o.Params {
		if b.Params == nil {
			b.Params = map[string]string{}
		}
		b.Params[k] = v
	}
}

var errIncomplete = errors.New("incomplete rule")

func assemble(c config.Rule, h config.Health) (Rule, error) {
	field := "schedules.health.rules." + c.Name
	if err := c.Validate(); err != nil {
		return Rule{}, err
	}
	if c.Query == "" {
		return Rule{}, fmt.Errorf("%s.query: %w: name a query in sql/queries", field, errIncomplete)
	}
	if c.Warn == nil && c.Page == nil {
		return Rule{}, fmt.Errorf("%s: %w: set a warn or page threshold", field, errIncomplete)
	}
	r := Rule{Name: c.Name, Query: c.Query, Fallback: c.Fallback, Params: c.Params, Window: val(c.Window),
		Below: c.Compare == "below", Warn: c.Warn, Page: c.Page, For: val(c.For), KeepFiringFor: val(c.KeepFiringFor),
		Repeat: val(c.Repeat), Service: c.Service, Summary: c.Summary, Unit: c.Unit, Dig: c.Dig, Link: c.Link}
	if r.Service == "" {
		r.Service = h.Service
	}
	if r.Link == "" {
		r.Link = h.Dashboard
	}
	if r.Window == 0 {
		r.Window = 5 * time.Minute
	}
	if r.Summary == "" {
		r.Summary = r.Name
	}
	return r, nil
}

// Level is the level v crosses (LevelAudit: none of them).
func (r Rule) Level(v float64) opsbot.Level {
	cross := func(t *float64) bool {
		if t == nil {
			return false
		}
		if r.Below {
			return v < *t
		}
		return v > *t
	}
	switch {
	case cross(r.Page):
		return opsbot.LevelPage
	case cross(r.Warn):
		return opsbot.LevelWarn
	}
	return opsbot.LevelAudit
}

// Threshold is the threshold of level l, as text with the rule's unit.
func (r Rule) Threshold(l opsbot.Level) string {
	t := r.Warn
	if l == opsbot.LevelPage {
		t = r.Page
	}
	if t == nil {
		return "none"
	}
	dir := "above"
	if r.Below {
		dir = "below"
	}
	return dir + " " + r.Format(*t)
}

// Format renders a value in the rule's unit.
func (r Rule) Format(v float64) string {
	switch r.Unit {
	case "%":
		return fmt.Sprintf("%.1f%%", 100*v)
	case "s":
		return fmt.Sprintf("%.3fs", v)
	case "min":
		return fmt.Sprintf("%.0f min", v)
	case "x":
		return fmt.Sprintf("%.1f×", v)
	}
	return strings.TrimSpace(fmt.Sprintf("%.4g %s", v, r.Unit))
}

func dur(d time.Duration) *time.Duration { return &d }

func val(d *time.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return *d
}
