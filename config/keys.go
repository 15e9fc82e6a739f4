package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Key errors are found by walking the YAML tree against the Go types before
// the strict decode, so that they name the key by its full path (query.max_rows),
// list what its section allows, and give the accepted forms, where the
// decoder would name Go types (config.Query, time.Duration).

var (
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

// durationForm is how every duration is written.
const durationForm = "write a number and a unit, e.g. 30s, 5m, 2h (units: ms, s, m, h)"

// checkKeys reports the first key n has that t does not, or the first value
// of the wrong form, as a *FieldError naming its path and line.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) == 0 {
			return nil
		} else {
			n = n.Content[0]
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Tag == "!!null" || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkStruct(n, t, path)
	case reflect.Map:
		return checkEach(n, yaml.MappingNode, t.Elem(), path, func(i int) string { return join(path, n.Content[2*i].Value) })
	case reflect.Slice:
		return checkEach(n, yaml.SequenceNode, t.Elem(), path, func(i int) string { return fmt.Sprintf("%s[%d]", path, i) })
	}
	return checkScalar(n, t, path)
}

// checkStruct checks a mapping's keys against t's yaml tags.
func checkStruct(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return lineErr(n, path, "is a section: give its keys (%s), not %s", strings.Join(keysOf(t), ", "), describe(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := fieldByKey(t, k.Value)
		if !ok {
			return lineErr(k, join(path, k.Value), "unknown key%s; %s allows %s", didYouMean(k.Value, keysOf(t)), sectionName(path), strings.Join(keysOf(t), ", "))
		}
		if err := checkKeys(v, f.Type, join(path, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

// checkEach checks the items of a mapping or a sequence, named by name(i).
func checkEach(n *yaml.Node, kind yaml.Kind, elem reflect.Type, path string, name func(int) string) error {
	if n.Kind != kind {
		want := map[yaml.Kind]string{yaml.MappingNode: "a mapping of names to entries", yaml.SequenceNode: "a list"}[kind]
		return lineErr(n, path, "must be %s, not %s", want, describe(n))
	}
	step := 1
	if kind == yaml.MappingNode {
		step = 2
	}
	for i := 0; i*step < len(n.Content); i++ {
		if err := checkKeys(n.Content[i*step+step-1], elem, name(i)); err != nil {
			return err
		}
	}
	return nil
}

// checkScalar checks a value's form: durations, numbers, true/false.
func checkScalar(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.ScalarNode {
		return lineErr(n, path, "must be a single value, not %s", describe(n))
	}
	var err error
	form := ""
	switch {
	case t == durationType:
		_, err = time.ParseDuration(n.Value)
		form = "is not a duration: " + durationForm
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		_, err = strconv.ParseInt(n.Value, 0, 64)
		form = "is not a whole number"
	case t.Kind() == reflect.Float64:
		_, err = strconv.ParseFloat(n.Value, 64)
		form = "is not a number"
	case t.Kind() == reflect.Bool:
		_, err = strconv.ParseBool(n.Value)
		form = "must be true or false"
	}
	if err != nil {
		return lineErr(n, path, "%q %s", n.Value, form)
	}
	return nil
}

// fieldByKey finds t's field whose yaml tag is key.
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// keysOf are t's yaml keys, in declaration order.
func keysOf(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && yamlKey(f) != "-" {
			keys = append(keys, yamlKey(f))
		}
	}
	return keys
}

// yamlKey is f's key as yaml.v3 reads it: the tag's name, or the field
// name lowercased.
func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sectionName(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func lineErr(n *yaml.Node, field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Line: n.Line}
}

// didYouMean is " (did you mean KEY?)" for the key nearest to got, when one
// is a plausible typo of it, or "".
func didYouMean(got string, keys []string) string {
	if slices.Contains(keys, got+"_env") {
		return fmt.Sprintf(" (did you mean %s_env? it names the environment variable that holds the secret; the secret never goes in this file)", got)
	}
	best, bestD := "", max(1, len(got)/3)+1
	for _, k := range keys {
		if d := editDistance(got, k); d < bestD {
			best, bestD = k, d
		}
	}
	for _, k := range keys { // a key cut short or run on: keep_firing, max_rows_total
		if best == "" && min(len(got), len(k)) >= 4 && (strings.HasPrefix(k, got) || strings.HasPrefix(got, k)) {
			best = k
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the edit distance between a and b in bytes (keys are
// ASCII): insertions, deletions, substitutions and swaps of neighbours
// (frmo → from) cost one each.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
