package auditlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opsbot/opsbot/warehouse"
)

// Kind is how the chain is broken.
type Kind string

// Kinds of break.
const (
	// Deleted: a seq is missing, or a row chains to a row that is not there.
	Deleted Kind = "deleted"
	// Altered: a row's fields no longer match its hash, or a row's hash
	// was recomputed so that the next row no longer chains to it.
	Altered Kind = "altered"
	// Forged: a row that opsbot did not write: a second row with a taken
	// seq, a row whose hash and prev_hash both fail, an unkeyed row after
	// keyed ones, a row without a seq dated after the chain began.
	Forged Kind = "forged"
	// Unverifiable: keyed rows, and no key to check them with.
	Unverifiable Kind = "unverifiable"
)

// Break is the first place the chain does not verify.
type Break struct {
	Seq    uint64 // the first row that cannot be trusted; 0: a row without a seq
	Kind   Kind
	Detail string
}

// Report is what Verify found.
type Report struct {
	Before   uint64 // rows written before the chain (seq 0), not vouched for
	Verified uint64 // chained rows verified, First to Last
	First    uint64
	Last     uint64
	Head     string // the hash of Last
	Keyed    bool   // Last is keyed (HMAC); false: plain SHA-256
	Break    *Break // nil: intact
}

// errStop ends the stream at the first break.
var errStop = errors.New("chain broken")

// Verify walks audit_log in seq order and stops at the first row that
// does not verify. It streams: opsbot holds two rows at a time (the one
// waiting for its successor and the hash of the one before), whatever the
// table's size.
func (l *Log) Verify(ctx context.Context) (*Report, error) {
	v := &verifier{key: l.key}
	_, err := l.w.Stream(ctx, "SELECT "+chainColumns+" FROM audit_log ORDER BY seq, ts",
		nil, func(x []any) error { return v.feed(rowFrom(x)) }, warehouse.ReadOnly())
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	if err == nil && v.pending != nil {
		_ = v.check(*v.pending) // a break is in the report
	}
	return &v.rep, nil
}

// verifier holds the walk's state: the row before (prev), the row waiting
// for its successor (pending: a duplicate seq is only seen from the next
// row) and the newest row without a seq.
type verifier struct {
	key      []byte
	rep      Report
	pending  *row
	prevSeq  uint64
	prevHash string
	sawKeyed bool
	legacy   *row // the newest row without a seq
}

func (v *verifier) feed(r row) error {
	if r.seq == 0 {
		v.rep.Before++
		if v.legacy == nil || r.ts.After(v.legacy.ts) {
			v.legacy = &r
		}
		return nil
	}
	if p := v.pending; p != nil && p.seq == r.seq {
		return v.broken(r.seq, Forged, fmt.Sprintf("seq %d appears twice: a row was inserted by hand, or a second opsbot process writes the log", r.seq))
	}
	if p := v.pending; p != nil {
		if err := v.check(*p); err != nil {
			return err
		}
	}
	v.pending = &r
	return nil
}

// check verifies r, the row after prevSeq, and makes it the row before.
func (v *verifier) check(r row) error {
	if err := v.checkPlace(r); err != nil {
		return err
	}
	if err := v.checkHash(r); err != nil {
		return err
	}
	if v.rep.Verified == 0 {
		v.rep.First = r.seq
	}
	v.rep.Verified++
	v.rep.Last, v.rep.Head, v.rep.Keyed = r.seq, r.hash, r.keyed
	v.prevSeq, v.prevHash, v.sawKeyed = r.seq, r.hash, v.sawKeyed || r.keyed
	return nil
}

// checkPlace checks what r's position says: the rows without a seq predate
// it, no seq is skipped, and its kind of hash is one this walk can check.
func (v *verifier) checkPlace(r row) error {
	if v.prevSeq == 0 && v.legacy != nil && v.legacy.ts.After(r.ts) {
		return v.broken(0, Forged, fmt.Sprintf("a row without a seq, dated %s (%s: %q), is newer than the chain's first row (seq %d, %s): rows without a seq are genuine only from before the chain began",
			stamp(v.legacy.ts), v.legacy.userID, v.legacy.text, r.seq, stamp(r.ts)))
	}
	if want := v.prevSeq + 1; r.seq != want {
		what := fmt.Sprintf("seq %d is missing", want)
		if r.seq > want+1 {
			what = fmt.Sprintf("seqs %d to %d are missing", want, r.seq-1)
		}
		return v.broken(want, Deleted, what+fmt.Sprintf(" (the next row is seq %d)", r.seq))
	}
	if r.keyed && v.key == nil {
		return v.broken(r.seq, Unverifiable, "rows from here on are keyed (HMAC) and this process has no audit key: set the variable access.secret_key_env names (OPSBOT_SECRET_KEY) to the key opsbot writes with")
	}
	if !r.keyed && v.sawKeyed {
		return v.broken(r.seq, Forged, "an unkeyed row after keyed ones: written without the audit key")
	}
	return nil
}

// checkHash checks r's hash and that it chains to the row before.
func (v *verifier) checkHash(r row) error {
	if digest(r, v.key) != r.hash {
		if r.prevHash == v.prevHash {
			return v.broken(r.seq, Altered, "its fields no longer match its hash: changed after it was written")
		}
		return v.broken(r.seq, Forged, "neither its hash nor its prev_hash verifies: not written by opsbot")
	}
	if r.prevHash == v.prevHash {
		return nil
	}
	if v.prevSeq == 0 {
		return v.broken(r.seq, Deleted, "it chains to a row that is not in the log (the chain's first row chains to nothing)")
	}
	// r verifies on its own, so the row before was rewritten with a
	// recomputed hash (possible only for unkeyed rows).
	seq := v.prevSeq
	v.rep.Verified--
	if v.rep.Verified == 0 {
		v.rep.First, v.rep.Last, v.rep.Head = 0, 0, ""
	} else {
		v.rep.Last, v.rep.Head = seq-1, ""
	}
	return v.broken(seq, Altered, fmt.Sprintf("its hash is not the one seq %d chained to: rewritten with a recomputed hash", r.seq))
}

func (v *verifier) broken(seq uint64, k Kind, detail string) error {
	v.rep.Break = &Break{Seq: seq, Kind: k, Detail: detail}
	return errStop
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// String is the report for people: "N rows verified, chain intact from
// seq A to B" or "broken at seq K: what; rows after it can't be trusted".
func (r *Report) String() string {
	var s string
	switch {
	case r.Break != nil && r.Break.Kind == Unverifiable:
		s = fmt.Sprintf("cannot verify from seq %d: %s", r.Break.Seq, r.Break.Detail)
	case r.Break != nil && r.Break.Seq == 0:
		s = fmt.Sprintf("broken before seq 1 (%s): %s", r.Break.Kind, r.Break.Detail)
	case r.Break != nil:
		s = fmt.Sprintf("broken at seq %d (%s): %s; rows after it can't be trusted", r.Break.Seq, r.Break.Kind, r.Break.Detail)
	case r.Verified == 0:
		s = "no chained rows yet"
	default:
		s = fmt.Sprintf("%s verified, chain intact from seq %d to %d", rows(r.Verified), r.First, r.Last)
	}
	if r.Break != nil && r.Verified > 0 {
		s += fmt.Sprintf("\n%s verified before it, seq %d to %d", rows(r.Verified), r.First, r.Last)
	}
	if r.Before > 0 {
		s += fmt.Sprintf("\n%s from before the chain, not vouched for", rows(r.Before))
	}
	return s
}

func rows(n uint64) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

// Title is the report's headline.
func (r *Report) Title() string {
	switch {
	case r.Break == nil:
		return "Audit log chain intact"
	case r.Break.Kind == Unverifiable:
		return "Audit log chain not verified"
	}
	return "Audit log chain BROKEN"
}

// mode says what kind of hash the chain's newest verified row carries and
// what that protects against.
func (r *Report) mode() string {
	switch {
	case r.Verified == 0 || r.Break != nil:
		return ""
	case r.Keyed:
		return fmt.Sprintf("keyed (HMAC-SHA256) · head seq %d %s", r.Last, r.Head)
	}
	return fmt.Sprintf("plain SHA-256: whoever can write the table can rebuild the chain; set OPSBOT_SECRET_KEY to key it · head seq %d %s", r.Last, r.Head)
}
