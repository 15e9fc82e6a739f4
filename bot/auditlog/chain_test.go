package auditlog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/auditlog"
	"github.com/opsbot/opsbot/warehouse"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

// secret is an OPSBOT_SECRET_KEY value (32 bytes).
var secret = []byte("0123456789abcdef0123456789abcdef")

// freshLog empties audit_log and records n entries through Record; key
// nil is a plain chain.
func freshLog(t *testing.T, n int, key []byte) (*auditlog.Log, warehouse.Warehouse) {
	t.Helper()
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	l := newLog(t, w, key)
	for i := 1; i <= n; i++ {
		record(t, l, i)
	}
	return l, w
}

func newLog(t *testing.T, w warehouse.Warehouse, key []byte) *auditlog.Log {
	t.Helper()
	l := auditlog.New(w, nil, "")
	if key == nil {
		return l
	}
	l, err := l.Keyed(key)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func record(t *testing.T, l *auditlog.Log, i int) {
	t.Helper()
	e := opsbot.AuditEntry{Time: t0.Add(time.Duration(i) * time.Minute), User: opsbot.User{ID: fmt.Sprintf("U%d", i), Name: "alice"},
		Channel: "C1", Transport: "slack", Text: fmt.Sprintf("top paths %d", i), Allowed: i%2 == 0, Result: "ok", Took: time.Duration(i) * time.Millisecond}
	if err := l.Record(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

// sqlExec is the insider: SQL straight at the table.
func sqlExec(t *testing.T, w warehouse.Warehouse, sql string, p opsbot.Params) {
	t.Helper()
	if err := w.Exec(context.Background(), sql, p); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func verify(t *testing.T, l *auditlog.Log) *auditlog.Report {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantBreak(t *testing.T, rep *auditlog.Report, seq uint64, kind auditlog.Kind) {
	t.Helper()
	if rep.Break == nil || rep.Break.Seq != seq || rep.Break.Kind != kind {
		t.Fatalf("want a break at seq %d (%s), got %+v: %s", seq, kind, rep.Break, rep)
	}
}

// rewrite replaces row seq with one whose text is text and whose hash is
// recomputed with key (nil: plain SHA-256) and marked keyed as given: what
// an insider with SQL and the source code can do.
func rewrite(t *testing.T, w warehouse.Warehouse, seq int, text string, key []byte, keyed bool) {
	t.Helper()
	ctx := context.Background()
	res, err := w.Query(ctx, "SELECT "+auditlog.ChainColumns+" FROM audit_log WHERE seq = {s:UInt64}", opsbot.Params{"s": fmt.Sprint(seq)})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("read seq %d: %v %v", seq, res, err)
	}
	v := res.Rows[0]
	v[3], v[9] = keyed, text
	sqlExec(t, w, "DELETE FROM audit_log WHERE seq = {s:UInt64}", opsbot.Params{"s": fmt.Sprint(seq)})
	sqlExec(t, w, `INSERT INTO audit_log (`+auditlog.ChainColumns+`) SELECT {seq:UInt64}, {prev:String}, {hash:String}, {keyed:Bool},
		{ts:DateTime64(3, 'UTC')}, {uid:String}, {uname:String}, {ch:String}, {tr:String}, {text:String}, {action:String},
		{allowed:Bool}, {result:String}, {took:UInt32}, {approval:String}`,
		opsbot.Params{"seq": fmt.Sprint(seq), "prev": v[1].(string), "hash": auditlog.Digest(v, key), "keyed": fmt.Sprint(keyed),
			"ts": warehouse.TimeParam(v[4].(time.Time)), "uid": v[5].(string), "uname": v[6].(string), "ch": v[7].(string), "tr": v[8].(string),
			"text": text, "action": v[10].(string), "allowed": fmt.Sprint(v[11]), "result": v[12].(string), "took": fmt.Sprint(v[13]), "approval": v[14].(string)})
}

func TestChainIntactAcrossRestartAndOddText(t *testing.T) {
	l, w := freshLog(t, 3, nil)
	// text the engine must give back byte for byte, or whose invalid
	// UTF-8 is stored already replaced, so that it hashes the same
	odd := opsbot.AuditEntry{Time: t0, User: opsbot.User{ID: "U9"}, Text: "sql SELECT '\t\\N\n' \x00 \xff é", Result: "error: x\ny", Allowed: true}
	if err := l.Record(context.Background(), odd); err != nil {
		t.Fatal(err)
	}
	// a new process: the head comes from the table
	restarted := newLog(t, w, nil)
	record(t, restarted, 5)
	rep := verify(t, restarted)
	if rep.Break != nil || rep.Verified != 5 || rep.First != 1 || rep.Last != 5 || rep.Keyed || len(rep.Head) != 64 {
		t.Fatalf("report %+v: %s", rep, rep)
	}
	if got := rep.String(); got != "5 rows verified, chain intact from seq 1 to 5" {
		t.Errorf("String() = %q", got)
	}
	res, err := w.Query(context.Background(), "SELECT count(), uniqExact(seq), uniqExact(hash), countIf(prev_hash = '') FROM audit_log", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Rows[0]) != "[5 5 5 1]" {
		t.Errorf("count, seqs, hashes, chain starts: %v", res.Rows[0])
	}
}

func TestVerifyNamesFirstTampering(t *testing.T) {
	const del = "ALTER TABLE audit_log DELETE WHERE seq IN (%s) SETTINGS mutations_sync = 2"
	forge := func(seq int, prev, hash string) string {
		return fmt.Sprintf(`INSERT INTO audit_log (seq, prev_hash, hash, ts, user_id, text, allowed, result)
			VALUES (%d, '%s', '%s', '2026-11-24 06:00:00.000', 'U1', 'ban 198.51.100.7', true, 'ok')`, seq, prev, hash)
	}
	for _, c := range []struct {
		name   string
		tamper []string
		seq    uint64
		kind   auditlog.Kind
	}{
		{"delete a row", []string{fmt.Sprintf(del, "3")}, 3, auditlog.Deleted},
		{"delete two rows", []string{fmt.Sprintf(del, "5, 3")}, 3, auditlog.Deleted},
		{"delete the first row", []string{fmt.Sprintf(del, "1")}, 1, auditlog.Deleted},
		{"alter text", []string{"ALTER TABLE audit_log UPDATE text = 'top paths' WHERE seq = 4 SETTINGS mutations_sync = 2"}, 4, auditlog.Altered},
		{"alter allowed", []string{"ALTER TABLE audit_log UPDATE allowed = true WHERE seq = 3 SETTINGS mutations_sync = 2"}, 3, auditlog.Altered},
		{"alter then delete later", []string{"ALTER TABLE audit_log UPDATE result = 'refused' WHERE seq = 2 SETTINGS mutations_sync = 2", fmt.Sprintf(del, "5")}, 2, auditlog.Altered},
		{"forge a row after the head", []string{forge(7, "0000", "ffff")}, 7, auditlog.Forged},
		{"forge a row with a taken seq", []string{forge(2, "0000", "ffff")}, 2, auditlog.Forged},
		{"forge a row without a seq", []string{forge(0, "", "")}, 0, auditlog.Forged},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, w := freshLog(t, 6, nil)
			for _, s := range c.tamper {
				sqlExec(t, w, s, nil)
			}
			wantBreak(t, verify(t, l), c.seq, c.kind)
		})
	}
}

// Rows from before the chain (seq 0, dated before seq 1) are counted, not
// vouched for, and do not break it.
func TestRowsBeforeTheChain(t *testing.T) {
	w := embedded(t)
	warehousetest.Truncate(t, w, "audit_log")
	sqlExec(t, w, "INSERT INTO audit_log (ts, user_id, text, allowed, result) VALUES ('2026-11-01 00:00:00.000', 'U1', 'top', true, 'ok'), ('2026-11-02 00:00:00.000', 'U2', 'ban 1.2.3.4', true, 'ok')", nil)
	l := newLog(t, w, nil)
	record(t, l, 1)
	record(t, l, 2)
	rep := verify(t, l)
	if rep.Break != nil || rep.Before != 2 || rep.Verified != 2 || rep.First != 1 {
		t.Fatalf("report %+v: %s", rep, rep)
	}
	if !strings.Contains(rep.String(), "2 rows from before the chain, not vouched for") {
		t.Errorf("String() = %q", rep)
	}
}

// Without a key, an insider who rewrites the newest row and recomputes its
// hash goes unnoticed (nothing after it chains to it); rewriting an older
// row breaks the next row's link. With a key neither verifies.
func TestPlainChainVersusKeyed(t *testing.T) {
	l, w := freshLog(t, 5, nil)
	rewrite(t, w, 5, "nothing to see", nil, false)
	if rep := verify(t, l); rep.Break != nil || rep.Verified != 5 {
		t.Fatalf("a plain chain's newest row can be rewritten unnoticed; got %s", rep)
	}
	rewrite(t, w, 3, "nothing to see", nil, false)
	wantBreak(t, verify(t, l), 3, auditlog.Altered)

	l, w = freshLog(t, 5, secret)
	rewrite(t, w, 5, "nothing to see", nil, true)
	wantBreak(t, verify(t, l), 5, auditlog.Altered)

	l, w = freshLog(t, 5, secret)
	rewrite(t, w, 3, "nothing to see", nil, false) // downgraded to a plain row
	wantBreak(t, verify(t, l), 3, auditlog.Forged)
}

func TestKeyedChain(t *testing.T) {
	l, w := freshLog(t, 4, secret)
	rep := verify(t, l)
	if rep.Break != nil || rep.Verified != 4 || !rep.Keyed {
		t.Fatalf("report %+v: %s", rep, rep)
	}
	// the same secret re-derives the key: a restart verifies
	if rep := verify(t, newLog(t, w, secret)); rep.Break != nil {
		t.Fatalf("restarted: %s", rep)
	}
	wantBreak(t, verify(t, newLog(t, w, []byte("another 32-byte key, not secret!"))), 1, auditlog.Altered)
	wantBreak(t, verify(t, newLog(t, w, nil)), 1, auditlog.Unverifiable)
}

// A plain chain that is keyed later keeps verifying: the first keyed row
// chains to the last plain one.
func TestKeyConfiguredLater(t *testing.T) {
	_, w := freshLog(t, 3, nil)
	l := newLog(t, w, secret)
	record(t, l, 4)
	record(t, l, 5)
	rep := verify(t, l)
	if rep.Break != nil || rep.Verified != 5 || !rep.Keyed {
		t.Fatalf("report %+v: %s", rep, rep)
	}
	rewrite(t, w, 2, "nothing to see", nil, false)
	wantBreak(t, verify(t, l), 2, auditlog.Altered)
}

func TestConcurrentRecordsChainLinearly(t *testing.T) {
	l, w := freshLog(t, 0, secret)
	const writers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- l.Record(context.Background(), opsbot.AuditEntry{Time: t0, User: opsbot.User{ID: fmt.Sprint("U", g)}, Text: fmt.Sprint("top ", i), Allowed: true})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := verify(t, l)
	if rep.Break != nil || rep.Verified != writers*each || rep.Last != writers*each {
		t.Fatalf("report %+v: %s", rep, rep)
	}
	res, _ := w.Query(context.Background(), "SELECT uniqExact(seq) FROM audit_log", nil)
	if n := warehouse.Uint64(res.Rows[0][0]); n != writers*each {
		t.Errorf("%d distinct seqs", n)
	}
}

// lostAck is a warehouse whose next Exec lands but reports an error, as a
// server connection that drops after the insert.
type lostAck struct {
	warehouse.Warehouse
	fail bool
}

func (w *lostAck) Exec(ctx context.Context, sql string, p opsbot.Params) error {
	err := w.Warehouse.Exec(ctx, sql, p)
	if w.fail && err == nil {
		w.fail = false
		return errors.New("connection reset")
	}
	return err
}

// After a failed append the head is read again: a row that landed anyway
// is chained to, not given the same seq.
func TestFailedAppendRereadsHead(t *testing.T) {
	_, w := freshLog(t, 2, nil)
	lw := &lostAck{Warehouse: w}
	l := newLog(t, lw, nil)
	record(t, l, 3)
	lw.fail = true
	if err := l.Record(context.Background(), opsbot.AuditEntry{Time: t0, User: opsbot.User{ID: "U4"}, Text: "top"}); err == nil {
		t.Fatal("want the lost acknowledgement's error")
	}
	record(t, l, 5)
	if rep := verify(t, l); rep.Break != nil || rep.Verified != 5 {
		t.Fatalf("report %+v: %s", rep, rep)
	}
}
