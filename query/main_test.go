package query_test

import (
	"os"
	"testing"
)

// TestMain closes the shared embedded engine after the tests, so that it
// stops its background threads before the process exits.
func TestMain(m *testing.M) {
	code := m.Run()
	if loaded != nil {
		loaded.Close()
	}
	os.Exit(code)
}
