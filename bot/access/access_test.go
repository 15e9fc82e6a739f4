package access_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestRoles(t *testing.T) {
	c := config.Default().Access
	c.Readers = config.Members{Users: []string{"UREAD"}, Groups: []string{"SREADERS"}}
	c.Analysts = config.Members{Users: []string{"UANA"}}
	c.Operators = config.Members{Users: []string{"UOPS"}, Groups: []string{"SOPS"}}
	r := access.NewRoles(c)
	ctx := context.Background()
	for _, tc := range []struct {
		u    opsbot.User
		ch   string
		want opsbot.Role
	}{
		{opsbot.User{ID: "UREAD"}, "COPS", opsbot.RoleReader},
		{opsbot.User{ID: "UANA"}, "COPS", opsbot.RoleAnalyst},
		{opsbot.User{ID: "UOPS"}, "COPS", opsbot.RoleOperator},
		{opsbot.User{ID: "UX", Groups: []string{"SREADERS", "SOPS"}}, "COPS", opsbot.RoleOperator},
		{opsbot.User{ID: "UX", Name: "UOPS"}, "COPS", opsbot.RoleNone}, // a name is never an identity
		{opsbot.User{ID: "UOPS"}, "D123", opsbot.RoleOperator},         // DMs are
		{opsbot.User{ID: "UOPS"}, "", opsbot.RoleOperator},             // the terminal chat
		{opsbot.User{}, "", opsbot.RoleNone},
	} {
		if got := r.Role(ctx, tc.u, tc.ch); got != tc.want {
			t.Errorf("Role(%+v, %q) = %s, want %s", tc.u, tc.ch, got, tc.want)
		}
	}
}

var key = bytes.Repeat([]byte{7}, 32)

func newTOTP(t *testing.T) (*access.TOTP, access.WarehouseSecrets) {
	w := embedded(t)
	warehousetest.Truncate(t, w, "opsbot_secrets.totp_secrets")
	st := access.WarehouseSecrets{W: w}
	tp, err := access.NewTOTP(st, key, config.Default().Access)
	if err != nil {
		t.Fatal(err)
	}
	return tp, st
}

func code(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func secretOf(t *testing.T, e *access.Enrollment) string {
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("url %q", e.URL)
	}
	return u.Query().Get("secret")
}

var alice = opsbot.User{ID: "UALICE", Name: "alice"}

func TestTOTPWrongReplayedAndEncrypted(t *testing.T) {
	tp, st := newTOTP(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 5, 0, 10, 0, time.UTC)
	if err := tp.Check(ctx, alice.ID, "123456", now); !errors.Is(err, access.ErrNotEnrolled) {
		t.Fatalf("not enrolled: %v", err)
	}
	e, err := tp.Enroll(ctx, alice, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(e.PNG)); err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	secret := secretOf(t, e)
	rec, ok, err := st.Load(ctx, alice.ID)
	if err != nil || !ok || strings.Contains(rec.Sealed, secret) {
		t.Fatalf("stored %+v: the secret must not be stored in clear", rec)
	}
	if raw, _ := base64.StdEncoding.DecodeString(rec.Sealed); bytes.Contains(raw, []byte(secret)) {
		t.Fatal("secret stored in clear")
	}
	good := code(t, secret, now)
	wrong := "000000"
	if wrong == good {
		wrong = "111111"
	}
	if err := tp.Check(ctx, alice.ID, wrong, now); !errors.Is(err, access.ErrBadCode) {
		t.Errorf("wrong code: %v", err)
	}
	if err := tp.Check(ctx, alice.ID, good, now); err != nil {
		t.Fatalf("good code: %v", err)
	}
	if err := tp.Check(ctx, alice.ID, good, now.Add(5*time.Second)); !errors.Is(err, access.ErrReplayed) {
		t.Errorf("replayed code: %v", err)
	}
	old := code(t, secret, now.Add(-2*time.Minute))
	if err := tp.Check(ctx, alice.ID, old, now); !errors.Is(err, access.ErrBadCode) {
		t.Errorf("expired code: %v", err)
	}
	if err := tp.Check(ctx, alice.ID, code(t, secret, now.Add(30*time.Second)), now.Add(30*time.Second)); err != nil {
		t.Errorf("next step's code: %v", err)
	}
	// another key cannot open the stored secret
	other, _ := access.NewTOTP(st, bytes.Repeat([]byte{8}, 32), config.Default().Access)
	if err := other.Check(ctx, alice.ID, code(t, secret, now.Add(time.Minute)), now.Add(time.Minute)); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Errorf("wrong key: %v", err)
	}
}

func TestReenrollNeedsCurrentCode(t *testing.T) {
	tp, _ := newTOTP(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)
	e, err := tp.Enroll(ctx, alice, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Enroll(ctx, alice, "", now); err == nil || !strings.Contains(err.Error(), "already enrolled") {
		t.Fatalf("re-enroll without code: %v", err)
	}
	e2, err := tp.Enroll(ctx, alice, code(t, secretOf(t, e), now), now)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Minute)
	if err := tp.Check(ctx, alice.ID, code(t, secretOf(t, e), later), later); !errors.Is(err, access.ErrBadCode) {
		t.Errorf("old authenticator still works: %v", err)
	}
	if err := tp.Check(ctx, alice.ID, code(t, secretOf(t, e2), later), later); err != nil {
		t.Errorf("new authenticator: %v", err)
	}
}

// wrongFor is a six-digit code that is not good.
func wrongFor(good string) string {
	if good == "000000" {
		return "111111"
	}
	return "000000"
}

// TestWrongCodesLockTheSecondFactor: the fifth wrong code in a row locks
// the person's second factor for the lockout, during which even the right
// code is refused, for checks and re-enrolment alike; others are not
// locked, and it unlocks on time.
func TestWrongCodesLockTheSecondFactor(t *testing.T) {
	tp, st := newTOTP(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)
	e, err := tp.Enroll(ctx, alice, "", now)
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, e)
	be, err := tp.Enroll(ctx, bob, "", now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		now = now.Add(time.Second)
		err := tp.Check(ctx, alice.ID, wrongFor(code(t, secret, now)), now)
		if !errors.Is(err, access.ErrBadCode) || errors.Is(err, access.ErrLocked) != (i == 5) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	// 05:00:05Z + 15m
	const until = "locked until 05:15:05Z"
	if err := tp.Check(ctx, alice.ID, wrongFor(code(t, secret, now)), now); !strings.Contains(err.Error(), until) {
		t.Errorf("the fifth wrong code says %q, want %q", err, until)
	}
	rec, _, _ := st.Load(ctx, alice.ID)
	now = now.Add(30 * time.Second)
	if err := tp.Check(ctx, alice.ID, code(t, secret, now), now); !errors.Is(err, access.ErrLocked) || !strings.Contains(err.Error(), until) {
		t.Errorf("right code while locked: %v", err)
	}
	if _, err := tp.Enroll(ctx, alice, code(t, secret, now), now); !errors.Is(err, access.ErrLocked) {
		t.Errorf("re-enrolment while locked: %v", err)
	}
	if after, _, _ := st.Load(ctx, alice.ID); after.Version != rec.Version || after.Sealed != rec.Sealed {
		t.Errorf("the locked authenticator changed: version %d → %d", rec.Version, after.Version)
	}
	if err := tp.Check(ctx, bob.ID, code(t, secretOf(t, be), now), now); err != nil {
		t.Errorf("bob is locked too: %v", err)
	}
	now = time.Date(2026, 11, 24, 5, 15, 5, 0, time.UTC)
	if err := tp.Check(ctx, alice.ID, code(t, secret, now), now); err != nil {
		t.Errorf("right code after the lockout: %v", err)
	}
}

// TestWrongCodesInARow: a right code or the lockout's time passing
// forgets earlier wrong codes.
func TestWrongCodesInARow(t *testing.T) {
	tp, _ := newTOTP(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)
	e, err := tp.Enroll(ctx, alice, "", now)
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, e)
	wrong := func(n int) {
		for range n {
			now = now.Add(time.Second)
			if err := tp.Check(ctx, alice.ID, wrongFor(code(t, secret, now)), now); errors.Is(err, access.ErrLocked) {
				t.Fatalf("locked at %s: %v", now.Format("15:04:05"), err)
			}
		}
	}
	wrong(4)
	now = now.Add(30 * time.Second)
	if err := tp.Check(ctx, alice.ID, code(t, secret, now), now); err != nil {
		t.Fatal(err)
	}
	wrong(4)
	now = now.Add(16 * time.Minute)
	wrong(4)
	now = now.Add(time.Second)
	if err := tp.Check(ctx, alice.ID, wrongFor(code(t, secret, now)), now); !errors.Is(err, access.ErrLocked) {
		t.Errorf("the fifth wrong code within 15m: %v", err)
	}
}

func TestKeyFromEnv(t *testing.T) {
	t.Setenv("K1", "")
	if _, err := access.KeyFromEnv("K1"); !errors.Is(err, access.ErrNoKey) || !strings.Contains(err.Error(), "K1") {
		t.Errorf("empty: %v", err)
	}
	t.Setenv("K1", base64.StdEncoding.EncodeToString([]byte("short")))
	if _, err := access.KeyFromEnv("K1"); !errors.Is(err, access.ErrNoKey) {
		t.Errorf("short: %v", err)
	}
	t.Setenv("K1", base64.StdEncoding.EncodeToString(key))
	if k, err := access.KeyFromEnv("K1"); err != nil || !bytes.Equal(k, key) {
		t.Errorf("good: %v", err)
	}
}

// TestGrantNamesTheConfigLine: a refusal's hint is the access: line that
// gives that person that role.
func TestGrantNamesTheConfigLine(t *testing.T) {
	got := access.NewRoles(config.Access{}).Grant(opsbot.User{ID: "local:alice"}, opsbot.RoleAnalyst)
	if !strings.Contains(got, "add `access: {analysts: {users: [local:alice]}}` to opsbot.yaml") {
		t.Errorf("grant: %s", got)
	}
}
