package auditlog

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// keyInfo is HKDF's info for the audit chain's key: it keeps the derived
// key apart from any other use of the same secret (TOTP encryption).
const keyInfo = "opsbot audit_log chain v1"

// domain starts every digest, so that the encoding can change later
// without an old digest ever matching a new one.
const domain = "opsbot audit_log v1"

// DeriveKey derives the chain's HMAC key from secret (the 32-byte key of
// access.secret_key_env) with HKDF-SHA256.
func DeriveKey(secret []byte) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, secret, nil, keyInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("derive audit key: %w", err)
	}
	return k, nil
}

// Keyed makes l chain with HMAC-SHA256 under a key derived from secret
// (see DeriveKey), and verify keyed rows. Call it before l is used.
func (l *Log) Keyed(secret []byte) (*Log, error) {
	k, err := DeriveKey(secret)
	if err != nil {
		return nil, err
	}
	l.key = k
	return l, nil
}

// row is one audit_log row as stored, chain columns included.
type row struct {
	seq       uint64
	prevHash  string
	hash      string
	keyed     bool
	ts        time.Time // whole milliseconds, UTC
	userID    string
	userName  string
	channel   string
	transport string
	text      string
	action    string
	allowed   bool
	result    string
	tookMS    uint32
	approval  string
}

// rowOf is e as it will be stored: the time in whole milliseconds, codes
// masked, text as valid UTF-8 (what the engine gives back, so that the
// stored row hashes as it was hashed).
func rowOf(e opsbot.AuditEntry) row {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	u := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
	return row{
		ts: time.UnixMilli(e.Time.UnixMilli()).UTC(), userID: u(e.User.ID), userName: u(e.User.Name),
		channel: u(e.Channel), transport: u(e.Transport), text: u(Redact(e.Text)), action: u(Redact(e.Action)),
		allowed: e.Allowed, result: u(e.Result), approval: u(e.Approval),
		tookMS: uint32(min(max(e.Took.Milliseconds(), 0), 1<<32-1)),
	}
}

// chainColumns are the columns a row is read back with, in rowFrom's order.
const chainColumns = `seq, prev_hash, hash, keyed, ts, user_id, user_name, channel, transport,
	text, action, allowed, result, took_ms, approval`

// rowFrom reads a row selected with chainColumns.
func rowFrom(v []any) row {
	s := warehouse.String
	b := func(x any) bool { f, _ := warehouse.Float(x); return f != 0 }
	return row{
		seq: warehouse.Uint64(v[0]), prevHash: s(v[1]), hash: s(v[2]), keyed: b(v[3]),
		ts: warehouse.Time(v[4]).UTC(), userID: s(v[5]), userName: s(v[6]), channel: s(v[7]), transport: s(v[8]),
		text: s(v[9]), action: s(v[10]), allowed: b(v[11]), result: s(v[12]),
		tookMS: uint32(warehouse.Uint64(v[13])), approval: s(v[14]),
	}
}

// digest is a row's hash: SHA-256, or HMAC-SHA256 under key when the row
// is keyed, over the domain tag and every field, each as a big-endian
// 8-byte length and its bytes, in the table's column order with seq,
// prev_hash and keyed first. Lengths make the encoding unambiguous: no two
// rows encode alike, however their text is split between fields.
func digest(r row, key []byte) string {
	var h hash.Hash = sha256.New()
	if r.keyed {
		h = hmac.New(sha256.New, key)
	}
	field := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	u64 := func(n uint64) { field(binary.BigEndian.AppendUint64(nil, n)) }
	flag := func(b bool) { field([]byte{boolByte(b)}) }
	field([]byte(domain))
	u64(r.seq)
	field([]byte(r.prevHash))
	flag(r.keyed)
	u64(uint64(r.ts.UnixMilli()))
	for _, s := range []string{r.userID, r.userName, r.channel, r.transport, r.text, r.action} {
		field([]byte(s))
	}
	flag(r.allowed)
	field([]byte(r.result))
	u64(uint64(r.tookMS))
	field([]byte(r.approval))
	return hex.EncodeToString(h.Sum(nil))
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// append writes e as the chain's next row. Appends are serialized, so the
// chain is linear; the head (last seq and hash) is read from the table on
// the first append and again after a failed one (which may have landed).
func (l *Log) append(ctx context.Context, e opsbot.AuditEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		if err := l.loadHead(ctx); err != nil {
			return err
		}
	}
	r := rowOf(e)
	r.seq, r.prevHash, r.keyed = l.seq+1, l.head, l.key != nil
	r.hash = digest(r, l.key)
	if err := l.insert(ctx, r); err != nil {
		l.loaded = false
		return err
	}
	l.seq, l.head = r.seq, r.hash
	return nil
}

// loadHead reads the newest row's seq and hash (0 and "" for an empty log
// or one whose rows all predate the chain).
func (l *Log) loadHead(ctx context.Context) error {
	res, err := l.w.Query(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", nil)
	if err != nil {
		return fmt.Errorf("audit log: read the chain's head: %w", err)
	}
	l.seq, l.head = 0, ""
	if len(res.Rows) == 1 {
		l.seq, l.head = warehouse.Uint64(res.Rows[0][0]), warehouse.String(res.Rows[0][1])
	}
	l.loaded = true
	return nil
}

// insert writes r with bound parameters.
func (l *Log) insert(ctx context.Context, r row) error {
	err := l.w.Exec(ctx, `INSERT INTO audit_log
		(seq, prev_hash, hash, keyed, ts, user_id, user_name, channel, transport, text, action, allowed, result, took_ms, approval)
		SELECT {seq:UInt64}, {prev:String}, {hash:String}, {keyed:Bool},
		       {ts:DateTime64(3, 'UTC')}, {uid:String}, {uname:String}, {ch:String}, {tr:String},
		       {text:String}, {action:String}, {allowed:Bool}, {result:String}, {took:UInt32}, {approval:String}`,
		opsbot.Params{
			"seq": strconv.FormatUint(r.seq, 10), "prev": r.prevHash, "hash": r.hash, "keyed": strconv.FormatBool(r.keyed),
			"ts": warehouse.TimeParam(r.ts), "uid": r.userID, "uname": r.userName,
			"ch": r.channel, "tr": r.transport, "text": r.text, "action": r.action,
			"allowed": strconv.FormatBool(r.allowed), "result": r.result,
			"took": strconv.FormatUint(uint64(r.tookMS), 10), "approval": r.approval,
		})
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}
