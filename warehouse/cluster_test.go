package warehouse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/sql"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// TestClusterSchemaParses renders every migration for a cluster and has the
// embedded engine parse each statement (formatQuery), so that
// `opsbot migrate --cluster` prints SQL a server accepts.
func TestClusterSchemaParses(t *testing.T) {
	w := warehousetest.Embedded(t)
	ms, err := sql.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var replicated, distributed int
	for _, m := range warehouse.ClusterMigrations(ms, "edge_cluster") {
		for _, stmt := range warehouse.Statements(m.SQL) {
			res, err := w.Query(context.Background(), "SELECT formatQuery({q:String})", opsbot.Params{"q": stmt})
			if err != nil {
				t.Fatalf("%s: does not parse: %v\n%s", m.Name, err, stmt)
			}
			out := res.Rows[0][0].(string)
			if strings.Contains(out, "Replicated") {
				replicated++
			}
			if strings.Contains(out, "Distributed(") {
				distributed++
			}
			if strings.HasPrefix(out, "CREATE TABLE") && !strings.Contains(out, "ON CLUSTER edge_cluster") {
				t.Errorf("%s: CREATE without ON CLUSTER: %s", m.Name, out)
			}
		}
	}
	if replicated == 0 || replicated != distributed {
		t.Fatalf("%d replicated tables, %d distributed", replicated, distributed)
	}
}

func TestClusterStatementsForRequests(t *testing.T) {
	got := warehouse.ClusterStatements("CREATE TABLE IF NOT EXISTS requests (ts DateTime) ENGINE = ReplacingMergeTree(ver) ORDER BY ts", "c1")
	if len(got) != 2 {
		t.Fatalf("got %d statements", len(got))
	}
	wantLocal := "CREATE TABLE IF NOT EXISTS requests_local ON CLUSTER `c1` (ts DateTime) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/requests_local', '{replica}', ver) ORDER BY ts"
	if got[0] != wantLocal {
		t.Errorf("local:\n got %s\nwant %s", got[0], wantLocal)
	}
	wantDist := "CREATE TABLE IF NOT EXISTS requests ON CLUSTER `c1` AS requests_local ENGINE = Distributed('c1', currentDatabase(), requests_local, rand())"
	if got[1] != wantDist {
		t.Errorf("distributed:\n got %s\nwant %s", got[1], wantDist)
	}
}

// A column change reaches the Distributed table too (it has its own list
// of columns); a projection stays on the local table.
func TestClusterAlterColumnReachesDistributed(t *testing.T) {
	got := warehouse.ClusterStatements("ALTER TABLE ingest_objects ADD COLUMN IF NOT EXISTS batch String", "c1")
	want := []string{"ALTER TABLE ingest_objects_local ON CLUSTER `c1` ADD COLUMN IF NOT EXISTS batch String",
		"ALTER TABLE ingest_objects ON CLUSTER `c1` ADD COLUMN IF NOT EXISTS batch String"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	got = warehouse.ClusterStatements("ALTER TABLE requests ADD PROJECTION p (SELECT * ORDER BY client_ip)", "c1")
	if len(got) != 1 || !strings.Contains(got[0], "requests_local ON CLUSTER") {
		t.Errorf("projection: %q", got)
	}
}

func TestMigrationsRejectBadNames(t *testing.T) {
	for _, s := range []string{"-- only a comment", "SELECT 1;\n-- c\nSELECT 2;\n"} {
		_ = warehouse.Statements(s)
	}
	if n := len(warehouse.Statements("-- only a comment\n")); n != 0 {
		t.Fatalf("comment-only file gave %d statements", n)
	}
	if n := len(warehouse.Statements("SELECT 1;\n-- c\nSELECT 2;\n")); n != 2 {
		t.Fatalf("two statements split into %d", n)
	}
}

// TestRetentionOnlyWhenItChanges: applying the same retention twice issues
// no second ALTER (no mutation per command), a new value is applied.
func TestRetentionOnlyWhenItChanges(t *testing.T) {
	w := warehousetest.Embedded(t)
	ctx := context.Background()
	ttl := func() string {
		res, err := w.Query(ctx, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'requests'", nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0].(string)
	}
	for _, days := range []int{30, 30, 45} {
		if err := warehouse.ApplyRetention(ctx, w, days); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("toIntervalDay(%d)", days); !strings.Contains(ttl(), want) {
			t.Fatalf("after retention %d: %s", days, ttl())
		}
	}
	mutations := func() uint64 {
		res, err := w.Query(ctx, "SELECT count() FROM system.mutations WHERE table = 'requests' AND command LIKE '%TTL%'", nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0].(uint64)
	}
	if n := mutations(); n != 0 {
		t.Fatalf("retention started %d TTL mutations", n)
	}
}

// A table in its own database keeps it in the local and Distributed
// tables; its database and its drop run on every node.
func TestClusterStatementsForAnotherDatabase(t *testing.T) {
	got := warehouse.ClusterStatements("CREATE TABLE IF NOT EXISTS sec.t (x UInt8) ENGINE = MergeTree ORDER BY x", "c1")
	want := []string{
		"CREATE TABLE IF NOT EXISTS sec.t_local ON CLUSTER `c1` (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/t_local', '{replica}') ORDER BY x",
		"CREATE TABLE IF NOT EXISTS sec.t ON CLUSTER `c1` AS sec.t_local ENGINE = Distributed('c1', 'sec', t_local, rand())",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("create:\n got %q\nwant %q", got, want)
	}
	if got := warehouse.ClusterStatements("CREATE DATABASE IF NOT EXISTS sec", "c1"); fmt.Sprint(got) != "[CREATE DATABASE IF NOT EXISTS sec ON CLUSTER `c1`]" {
		t.Errorf("database: %q", got)
	}
	want = []string{"DROP TABLE IF EXISTS t ON CLUSTER `c1` SYNC", "DROP TABLE IF EXISTS t_local ON CLUSTER `c1` SYNC"}
	if got := warehouse.ClusterStatements("DROP TABLE IF EXISTS t", "c1"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("drop: %q", got)
	}
}

// A materialized view runs on every node, from the local table it reads to
// the local table it fills.
func TestClusterStatementsForAView(t *testing.T) {
	got := warehouse.ClusterStatements("CREATE MATERIALIZED VIEW IF NOT EXISTS v TO t AS SELECT x FROM (SELECT x FROM requests) GROUP BY x", "c1")
	want := "[CREATE MATERIALIZED VIEW IF NOT EXISTS v ON CLUSTER `c1` TO t_local AS SELECT x FROM (SELECT x FROM requests_local) GROUP BY x]"
	if fmt.Sprint(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
