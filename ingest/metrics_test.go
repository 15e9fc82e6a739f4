package ingest_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opsbot/opsbot/ingest"
	"github.com/opsbot/opsbot/internal/clocktest"
)

func TestMetricsCountWhatWasLoaded(t *testing.T) {
	w := fresh(t)
	dir := t.TempDir()
	lines := traffic(t, dir, 5000, 2, 101)
	newest := lines[len(lines)-1].TS.Truncate(time.Second) // CloudFront logs whole seconds
	now := func() time.Time { return newest.Add(90 * time.Second) }
	wk := run(t, ingest.Options{Warehouse: w, Source: &ingest.Dir{Root: dir}, Clock: clocktest.Funcs{NowFunc: now}})
	srv := httptest.NewServer(wk.Metrics())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"opsbot_ingest_rows_total 5000\n",
		`opsbot_ingest_objects_total{status="done"} 2` + "\n",
		"opsbot_ingest_rejects_total 0\n",
		"opsbot_ingest_lag_seconds 90\n",
		// Two objects of 2,500 rows each, smaller than a chunk: pooled
		// into one insert.
		"opsbot_ingest_batch_seconds_count 1\n",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
