package config_test

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/opsbot/opsbot/config"
)

// TestExampleShowsEveryKey walks the config types (their yaml tags) and
// fails on any key opsbot.example.yaml does not show, set or commented
// out. A commented key is a line "# key: value" at the key's indentation;
// uncommented, the example must still load.
func TestExampleShowsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../opsbot.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	full := uncomment(string(b))
	c := config.Default()
	if err := config.Decode([]byte(full), c); err != nil {
		t.Fatalf("the example with its commented keys set does not load: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the example with its commented keys set is not valid: %v", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(full), &root); err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	nodePaths(root.Content[0], reflect.TypeFor[config.Config](), "", shown)
	for _, p := range typePaths(reflect.TypeFor[config.Config](), "") {
		if !shown[p] {
			t.Errorf("opsbot.example.yaml does not show %s", p)
		}
	}
}

// commentedKey is a commented-out key or list item: "  # key: …", "  #   - …".
var commentedKey = regexp.MustCompile(`^(\s*)# ?(\s*(?:[a-z0-9_]+:(?:\s|$)|- ))`)

func uncomment(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = commentedKey.ReplaceAllString(l, "$1$2")
	}
	return strings.Join(lines, "\n")
}

var leafTypes = []reflect.Type{reflect.TypeFor[time.Duration](), reflect.TypeFor[config.IDs]()}

// typePaths are every key path t allows: maps' keys as *, lists' items as [].
func typePaths(t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case slices.Contains(leafTypes, t):
		return []string{path}
	case t.Kind() == reflect.Map:
		return typePaths(t.Elem(), path+".*")
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return typePaths(t.Elem(), path+"[]")
	case t.Kind() != reflect.Struct:
		return []string{path}
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if key := yamlKey(f); f.IsExported() && key != "-" {
			out = append(out, typePaths(f.Type, strings.TrimPrefix(path+"."+key, "."))...)
		}
	}
	return out
}

// nodePaths marks in shown the key paths n sets, named as typePaths names them.
func nodePaths(n *yaml.Node, t reflect.Type, path string, shown map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	shown[path] = true
	switch {
	case slices.Contains(leafTypes, t):
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			nodePaths(n.Content[i], t.Elem(), path+".*", shown)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			nodePaths(item, t.Elem(), path+"[]", shown)
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			for j := range t.NumField() {
				if f := t.Field(j); yamlKey(f) == n.Content[i].Value {
					nodePaths(n.Content[i+1], f.Type, strings.TrimPrefix(path+"."+n.Content[i].Value, "."), shown)
				}
			}
		}
	}
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}
