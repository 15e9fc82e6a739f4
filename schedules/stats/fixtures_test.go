package stats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/infra/infratest"
	"github.com/opsbot/opsbot/warehouse"
)

// exec runs one statement with params, failing the test on error.
func exec(t *testing.T, w warehouse.Warehouse, q string, p opsbot.Params) {
	t.Helper()
	if err := w.Exec(context.Background(), q, p); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func ts(t time.Time) string { return warehouse.TimeParam(t) }

// auditRow is one audit_log entry.
type auditRow struct {
	at      time.Duration // after the week's start; negative: before it
	user    string
	action  string
	allowed bool
	result  string
}

// opsbotWeek records a week of opsbot's own activity starting at since
// and returns what stats_opsbot, stats_alerts and stats_ingest should
// count: each expectation below is read off the rows by hand.
func opsbotWeek(t *testing.T, w warehouse.Warehouse, since time.Time) map[string]float64 {
	for _, a := range []auditRow{
		{time.Hour, "U1", "top 4xx by ip", true, "ok"},
		{2 * time.Hour, "U1", "top 5xx by path last 24h", true, "ok"},
		{3 * time.Hour, "U1", "hits 1.2.3.4", true, "ok"},
		{4 * time.Hour, "U2", "traffic /donate", true, "ok"},
		{5 * time.Hour, "U3", "ban 1.2.3.4/32 for 24h", false, "refused: operators only"},
		{6 * time.Hour, "U1", "ban 1.2.3.4/32 for 24h", true, "ok"},
		{7 * time.Hour, "U1", "unban 1.2.3.4/32", true, "error: edge down"},
		{8 * time.Hour, "U2", "page ops everything is on fire", true, "ok"},
		{-time.Second, "U4", "top 4xx by ip", true, "ok"}, // the week before
	} {
		exec(t, w, `INSERT INTO audit_log (ts, user_id, user_name, channel, transport, text, action, allowed, result, took_ms, approval)
VALUES ({ts:DateTime64(3, 'UTC')}, {u:String}, 'x', 'C1', 'slack', {a:String}, {a:String}, {ok:Bool}, {r:String}, 5, '')`,
			opsbot.Params{"ts": ts(since.Add(a.at)), "u": a.user, "a": a.action, "ok": fmt.Sprint(a.allowed), "r": a.result})
	}
	for _, r := range []struct {
		job, status string
		notices     int
		at          time.Duration
	}{
		{"health", "ok", 2, time.Hour}, {"health", "ok", 1, 2 * time.Hour}, {"daily-analysis", "ok", 1, 7 * time.Hour},
		{"infra-audit", "failed", 0, 8 * time.Hour}, {"health", "ok", 5, -time.Minute},
	} {
		exec(t, w, `INSERT INTO schedule_runs (job, tick, started_at, finished_at, status, error, notices, holder)
VALUES ({j:String}, {ts:DateTime64(3, 'UTC')}, {ts:DateTime64(3, 'UTC')}, {ts:DateTime64(3, 'UTC')}, {s:String}, '', {n:UInt32}, 'test')`,
			opsbot.Params{"j": r.job, "ts": ts(since.Add(r.at)), "s": r.status, "n": fmt.Sprint(r.notices)})
	}
	for i, a := range []struct {
		rule  string
		fired time.Duration
	}{
		{"5xx-ratio", 10 * time.Hour}, {"5xx-ratio", 10 * time.Hour}, // one firing, posted twice
		{"ingest-lag", 20 * time.Hour}, {"ingest-lag", 50 * time.Hour}, // two firings
		{"p95-latency", -2 * time.Hour}, // the week before
	} {
		data, _ := json.Marshal(map[string]any{"phase": "firing", "fired_at": since.Add(a.fired)})
		exec(t, w, `INSERT INTO alert_state (rule, state, level, data, updated_at, version)
VALUES ({r:String}, 'firing', 'warn', {d:String}, {ts:DateTime64(3, 'UTC')}, {v:UInt64})`,
			opsbot.Params{"r": a.rule, "d": string(data), "ts": ts(since.Add(a.fired)), "v": fmt.Sprint(i + 1)})
	}
	for _, o := range []struct {
		key, status        string
		rows, rejected     int
		objectAt, finished time.Duration
		version            int
	}{
		{"E2/a.gz", "loading", 0, 0, time.Hour, 0, 1},
		{"E2/a.gz", "done", 1000, 3, time.Hour, time.Hour + 10*time.Minute, 2},     // lag 600 s
		{"E2/b.gz", "done", 500, 0, 2 * time.Hour, 2*time.Hour + 5*time.Minute, 1}, // lag 300 s
		{"E2/c.gz", "failed", 0, 0, 3 * time.Hour, 3*time.Hour + time.Minute, 1},
		{"E2/d.gz", "done", 700, 9, -2 * time.Hour, -time.Hour, 1}, // the week before
	} {
		exec(t, w, `INSERT INTO ingest_objects (bucket, key, status, rows, rejected, object_time, finished_at, version)
VALUES ('logs', {k:String}, {s:String}, {r:UInt64}, {j:UInt64}, {o:DateTime64(3, 'UTC')}, {f:DateTime64(3, 'UTC')}, {v:UInt64})`,
			opsbot.Params{"k": o.key, "s": o.status, "r": fmt.Sprint(o.rows), "j": fmt.Sprint(o.rejected),
				"o": ts(since.Add(o.objectAt)), "f": ts(since.Add(o.finished)), "v": fmt.Sprint(o.version)})
	}
	return map[string]float64{
		"opsbot.questions": 4, "opsbot.askers": 2, "opsbot.top_asker_questions": 3, "opsbot.refused": 1,
		"opsbot.writes": 1, "opsbot.pages": 1,
		"opsbot.alerts_fired": 3, "opsbot.alert_posts": 3, "opsbot.job_runs": 4, "opsbot.job_failures": 1,
		"opsbot.ingest_objects": 2, "opsbot.ingest_rows": 1500, "opsbot.ingest_rejected": 3, "opsbot.ingest_failed": 1,
		"opsbot.ingest_lag_p95_seconds": 600, "opsbot.ingest_lag_max_seconds": 600,
	}
}

// loopback is a loopback AWS account and GitHub organization, and the
// audits config that points at them, as a user writes it.
type loopback struct {
	aws *infratest.AWS
	gh  *infratest.GitHub
	cfg *config.Config
}

func newLoopback(t *testing.T) *loopback {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", infratest.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", infratest.SecretKey)
	t.Setenv("OPSBOT_TEST_GITHUB_TOKEN", "tok")
	l := &loopback{}
	l.aws = infratest.NewAWS(infratest.World{Regions: map[string]*infratest.Region{"eu-west-1": {
		SecurityGroups: []infratest.SecurityGroup{openSG("sg-1", "bastion")},
		LoadBalancers: []infratest.LoadBalancer{
			{Name: "shop", Type: "application", Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}}},
			{Name: "surprise", Type: "application", Scheme: "internet-facing", Listeners: []infratest.Listener{{Protocol: "HTTPS", Port: 443}}},
		},
	}}})
	t.Cleanup(l.aws.Close)
	l.gh = infratest.NewGitHub("tok", map[string][]string{"acme": {"mallory"}}, 7) // 7 a page: the statistics page through
	t.Cleanup(l.gh.Close)
	l.cfg = config.Default()
	y := `
audits:
  accounts:
    - {name: prod, regions: [eu-west-1], endpoint: ` + l.aws.URL + `}
  expected_load_balancers: [shop]
  github: {orgs: [acme], token_env: OPSBOT_TEST_GITHUB_TOKEN, base_url: ` + l.gh.URL + `}
`
	if err := config.Decode([]byte(y), l.cfg); err != nil {
		t.Fatal(err)
	}
	if err := l.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return l
}

func openSG(id, name string) infratest.SecurityGroup {
	return infratest.SecurityGroup{ID: id, Name: name, Ingress: []infratest.Rule{{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}}}}
}

// audit runs the infra-audit job at now, recording its findings.
func (l *loopback) audit(t *testing.T, w warehouse.Warehouse, now time.Time) {
	t.Helper()
	if _, err := auditor(l.cfg.Audits, w).Job().Run(context.Background(), now); err != nil {
		t.Fatalf("infra audit at %s: %v", now, err)
	}
}

// stored are the figures org_stats holds for the week starting at since:
// "metric" or "metric/dimension" → value.
func stored(t *testing.T, w warehouse.Warehouse, since time.Time) map[string]float64 {
	t.Helper()
	res, err := w.Query(context.Background(), `SELECT metric, dimension, argMax(value, collected_at) AS v FROM org_stats
WHERE window = 'week' AND window_start = {s:DateTime64(3, 'UTC')} GROUP BY metric, dimension`, opsbot.Params{"s": ts(since)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, r := range warehouse.RowsOf(res) {
		k := r.S("metric")
		if d := r.S("dimension"); d != "" {
			k += "/" + d
		}
		out[k] = r.F("v")
	}
	return out
}
