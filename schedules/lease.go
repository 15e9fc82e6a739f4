package schedules

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// lease decides which scheduler acts when several share one ClickHouse.
// Every instance renews its own row in scheduler_lease; the leader is the
// live instance (renewed within ttl) that joined first by the server's
// clock (acquired_at is the server's now64(6) at joining; ties go to the
// smaller holder name). An insert is visible to every read that starts
// after it on a single server, so two instances never both lead once each
// has read after the other's join; a second instance stands by and takes
// over when the leader stops renewing (or releases on shutdown). In
// embedded mode the data folder lock already keeps a second process out.
type lease struct {
	w      warehouse.Warehouse
	name   string
	holder string
	ttl    time.Duration
	joined time.Time // our acquired_at, zero until we join
	last   time.Time // our last renewal, by our clock
}

// acquire renews our row and says whether we lead.
func (l *lease) acquire(ctx context.Context, now time.Time) (bool, error) {
	p := opsbot.Params{"name": l.name, "holder": l.holder, "now": warehouse.TimeParam(now),
		"v": strconv.FormatInt(time.Now().UnixNano(), 10)}
	if now.Sub(l.last) >= l.ttl {
		l.joined = time.Time{} // our row lapsed: join again, at the back
	}
	l.last = now
	acquired := "now64(6)"
	if !l.joined.IsZero() {
		acquired, p["joined"] = "{joined:DateTime64(6, 'UTC')}", l.joined.UTC().Format("2006-01-02 15:04:05.000000")
	}
	err := l.w.Exec(ctx, `INSERT INTO scheduler_lease (name, holder, acquired_at, renewed_at, version)
		SELECT {name:String}, {holder:String}, `+acquired+`, {now:DateTime64(3, 'UTC')}, {v:UInt64}`, p)
	if err != nil {
		return false, fmt.Errorf("renew scheduler lease: %w", err)
	}
	res, err := l.w.Query(ctx, `SELECT holder, argMax(acquired_at, version) AS joined, argMax(renewed_at, version) AS renewed
		FROM scheduler_lease WHERE name = {name:String} GROUP BY holder
		HAVING renewed > {cutoff:DateTime64(3, 'UTC')} ORDER BY joined, holder`,
		opsbot.Params{"name": l.name, "cutoff": warehouse.TimeParam(now.Add(-l.ttl))})
	if err != nil {
		return false, fmt.Errorf("read scheduler lease: %w", err)
	}
	lead := ""
	for i, r := range res.Rows {
		if i == 0 {
			lead = warehouse.String(r[0])
		}
		if warehouse.String(r[0]) == l.holder {
			l.joined = warehouse.Time(r[1])
		}
	}
	return lead == l.holder, nil
}

// leader is the current leader's name ("" when none is live).
func (l *lease) leader(ctx context.Context, now time.Time) (string, error) {
	res, err := l.w.Query(ctx, `SELECT holder, argMax(acquired_at, version) AS joined, argMax(renewed_at, version) AS renewed
		FROM scheduler_lease WHERE name = {name:String} GROUP BY holder
		HAVING renewed > {cutoff:DateTime64(3, 'UTC')} ORDER BY joined, holder LIMIT 1`,
		opsbot.Params{"name": l.name, "cutoff": warehouse.TimeParam(now.Add(-l.ttl))})
	if err != nil || len(res.Rows) == 0 {
		return "", err
	}
	return warehouse.String(res.Rows[0][0]), nil
}

// release lets a standby take over at once.
func (l *lease) release(ctx context.Context) error {
	p := opsbot.Params{"name": l.name, "holder": l.holder, "v": strconv.FormatInt(time.Now().UnixNano(), 10)}
	l.joined, l.last = time.Time{}, time.Time{}
	return l.w.Exec(ctx, `INSERT INTO scheduler_lease (name, holder, acquired_at, renewed_at, version)
		SELECT {name:String}, {holder:String}, 0, 0, {v:UInt64}`, p)
}
