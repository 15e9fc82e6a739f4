package access

import (
	"context"
	"strconv"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/warehouse"
)

// WarehouseSecrets keeps secrets in opsbot_secrets.totp_secrets, a database of
// their own that analysts' `sql` cannot name (sql/schema/012).
type WarehouseSecrets struct{ W warehouse.Warehouse }

var _ SecretStore = WarehouseSecrets{}

// Load reads userID's latest record.
func (s WarehouseSecrets) Load(ctx context.Context, userID string) (Secret, bool, error) {
	res, err := s.W.Query(ctx, `SELECT secret_enc, last_step, enrolled_at, version FROM opsbot_secrets.totp_secrets FINAL
		WHERE user_id = {u:String} ORDER BY version DESC LIMIT 1`, opsbot.Params{"u": userID})
	if err != nil || len(res.Rows) == 0 {
		return Secret{}, false, err
	}
	r := res.Rows[0]
	sec := Secret{UserID: userID, Sealed: r[0].(string), LastStep: warehouse.Uint64(r[1]), Version: warehouse.Uint64(r[3])}
	sec.EnrolledAt = warehouse.Time(r[2])
	return sec, true, nil
}

// Save appends the record; the highest version wins.
func (s WarehouseSecrets) Save(ctx context.Context, sec Secret) error {
	return s.W.Exec(ctx, `INSERT INTO opsbot_secrets.totp_secrets (user_id, secret_enc, last_step, enrolled_at, version)
		SELECT {u:String}, {s:String}, {l:UInt64}, {t:DateTime64(3, 'UTC')}, {v:UInt64}`, opsbot.Params{
		"u": sec.UserID, "s": sec.Sealed, "l": strconv.FormatUint(sec.LastStep, 10),
		"t": warehouse.TimeParam(sec.EnrolledAt), "v": strconv.FormatUint(sec.Version, 10),
	})
}
