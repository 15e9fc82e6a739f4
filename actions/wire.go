package actions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/bot/auditlog"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/sql/guard"
	"github.com/opsbot/opsbot/warehouse"
)

// Deps are what serve and the terminal chat provide to Wire.
type Deps struct {
	Config    *config.Config
	Warehouse warehouse.Warehouse
	Poster    opsbot.Poster // Slack; nil: nothing is posted to the audit room
	Pager     Pager         // *pager.Router; nil: `page` says none is configured
	Hits      Hits          // the query engine's "hits IP last 24h"; nil: none shown
	Getenv    func(string) string
	Now       func() time.Time
	Edges     []Edge // the edges bans go to (cmd/opsbot builds them from config.Edges)
	// Redirectors hold the redirect map (nil: built from Config.Redirects).
	Redirectors []Redirector
	SelfAddrs   func(ctx context.Context, u opsbot.User) []netip.Addr
	// RecordBackoff paces the retries of a ban's record (nil: a few tries
	// over seconds). Tests pass a backoff.ZeroBackOff.
	RecordBackoff func() backoff.BackOff
	Log           *slog.Logger // nil: slog.Default()
	// Clock paces deploy followers (nil: the system clock); followers
	// live as long as Wire's context.
	Clock opsbot.Clock
	// ConfirmPage is the web page of a confirmation (nil: web is off).
	ConfirmPage func(id string) string
}

// Wired is everything the router and the scheduler need from writes.
type Wired struct {
	Roles  *access.Roles  // bot.Options.Authorizer
	Audit  *auditlog.Log  // bot.Options.Auditor
	Skills []opsbot.Skill // ban/unban/bans/page/2fa/confirm/approve/cancel, sql, audit
	Expiry *Expiry        // a schedules.Job: run it every minute
	TOTP   *access.TOTP   // nil when the secret key variable is unset
	Skill  *Skill
	// Redirects are the redirect commands; nil when no edge holds a map.
	Redirects *Redirects
	// Deploys are the deploy commands; nil when no service is configured.
	// serve calls its Resume once.
	Deploys *Deploys
}

// Wire builds roles, the audit log, TOTP and confirmations and the skills
// from config, over the edges d brings. A missing TOTP key is not an error: TOTP
// confirmations then answer how to set it up, and the audit log chains
// with plain SHA-256 instead of an HMAC keyed from it.
func Wire(ctx context.Context, d Deps) (*Wired, error) {
	c := d.Config
	if d.Now == nil {
		d.Now = time.Now
	}
	edges := d.Edges
	wd := &Wired{Roles: access.NewRoles(c.Access), Audit: auditlog.New(d.Warehouse, d.Poster, c.Slack.Rooms.Audit)}
	getenv := d.Getenv
	key, err := keyFrom(getenv, c.Access.SecretKeyEnv)
	if err == nil {
		if wd.Audit, err = wd.Audit.Keyed(key); err != nil {
			return nil, err
		}
		if wd.TOTP, err = access.NewTOTP(access.WarehouseSecrets{W: d.Warehouse}, key, c.Access); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, access.ErrNoKey) {
		return nil, err
	}
	s, err := New(Options{Edges: edges, Rails: c.Edges.Ban, Access: c.Access, Warehouse: d.Warehouse,
		Confirmations: access.NewConfirmations(wd.TOTP, c.Access.ConfirmWithin, d.Now), TOTP: wd.TOTP,
		Pager: d.Pager, Hits: d.Hits, Audit: wd.Audit, SelfAddrs: d.SelfAddrs, Now: d.Now,
		Alerts: d.Poster, AlertRoom: c.Slack.Rooms.Warn, RecordBackoff: d.RecordBackoff, Log: d.Log, ConfirmPage: d.ConfirmPage})
	if err != nil {
		return nil, fmt.Errorf("writes: %w", err)
	}
	wd.Skill, wd.Expiry = s, s.Expiry()
	sq, err := newSQL(ctx, d.Warehouse, c.Query)
	if err != nil {
		return nil, err
	}
	wd.Skills = []opsbot.Skill{s, sq, wd.Audit.Skill(d.Now)}
	if wd.Deploys, err = wireDeploys(ctx, d, s, wd.Roles); err != nil {
		return nil, err
	} else if wd.Deploys != nil {
		wd.Skills = append(wd.Skills, wd.Deploys)
	}
	if wd.Redirects, err = wireRedirects(ctx, d, s, wd.Roles); err != nil || wd.Redirects == nil {
		return wd, err
	}
	wd.Skills = append(wd.Skills, wd.Redirects)
	return wd, nil
}

// newSQL builds `sql` with its guard and the limits of query: and
// query.sql.
func newSQL(ctx context.Context, w warehouse.Warehouse, c config.Query) (*SQL, error) {
	g, err := guard.New(ctx, w, c.SQLTables())
	if err != nil {
		return nil, err
	}
	return &SQL{W: w, Guard: g, MaxSeconds: int(c.Timeout / time.Second), MaxRows: uint64(c.MaxRows),
		MaxMemory: uint64(c.SQL.MaxMemoryMB) << 20, MaxResult: uint64(c.SQL.MaxResultMB) << 20}, nil
}

func keyFrom(getenv func(string) string, env string) ([]byte, error) {
	if getenv == nil {
		return access.KeyFromEnv(env)
	}
	return access.KeyFromString(env, getenv(env))
}
