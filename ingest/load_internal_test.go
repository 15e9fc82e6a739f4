package ingest

import (
	"errors"
	"testing"

	"github.com/opsbot/opsbot/ingest/edgelog"
)

// TestProven: an object is done only when the rows and rejects received
// add up to what its reader read.
func TestProven(t *testing.T) {
	got := received{rows: 90, rejects: 8}
	for _, c := range []struct {
		t  edgelog.Tally
		ok bool
	}{
		{edgelog.Tally{Lines: 100, Rows: 90, Rejects: 8, Skipped: 2}, true},
		{edgelog.Tally{Lines: 101, Rows: 90, Rejects: 8, Skipped: 2}, false}, // a line lost in the reader
		{edgelog.Tally{Lines: 100, Rows: 91, Rejects: 7, Skipped: 2}, false}, // a row lost on the way
		{edgelog.Tally{Lines: 5000, Rows: 90, Rejects: 8}, false},            // Parquet: the footer declares more
	} {
		if err := got.proven(c.t); (err == nil) != c.ok || (err != nil && !errors.Is(err, errUnproven)) {
			t.Errorf("tally %+v: %v, want ok=%v", c.t, err, c.ok)
		}
	}
}
