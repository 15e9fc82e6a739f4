// Command gentop writes the generated sql/queries/top_by_NAME.sql files
// (query.TopFiles) into the folder it is given: `go generate ./query`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/opsbot/opsbot/query"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gentop DIR")
		os.Exit(2)
	}
	files, err := query.TopFiles()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentop:", err)
		os.Exit(1)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(os.Args[1], name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gentop:", err)
			os.Exit(1)
		}
	}
}
