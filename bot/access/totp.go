package access

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/skip2/go-qrcode"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
)

// Errors of TOTP checks, for errors.Is.
var (
	ErrNotEnrolled = errors.New("no authenticator enrolled: send `2fa enroll` to opsbot in a direct message")
	ErrBadCode     = errors.New("wrong code")
	ErrReplayed    = errors.New("code already used: wait for the next code from your authenticator")
	ErrEnrolled    = errors.New("you are already enrolled: to replace your authenticator send `2fa enroll CODE` with a current code from it")
)

const period = 30 // seconds per TOTP step (RFC 6238 default)

var validate = totp.ValidateOpts{Period: period, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Secret is one user's stored authenticator secret.
type Secret struct {
	UserID     string
	Sealed     string // AES-GCM sealed base32 secret
	LastStep   uint64 // the last step whose code was used
	EnrolledAt time.Time
	Version    uint64
}

// SecretStore keeps secrets. Load returns ok=false for a user with none.
// Save replaces the user's record (Version grows with each save).
type SecretStore interface {
	Load(ctx context.Context, userID string) (s Secret, ok bool, err error)
	Save(ctx context.Context, s Secret) error
}

// TOTP enrols authenticators and checks their codes. A code is accepted
// once: a code of a step at or before the last one used is refused. Too
// many wrong codes in a row (access.totp) lock a person's second factor
// for a while, whether they came to confirm or to re-enrol.
type TOTP struct {
	store  SecretStore
	seal   *sealer
	issuer string
	mu     sync.Mutex // check-then-save of LastStep; lock
	lock   lockout
}

// NewTOTP returns a TOTP over store, sealing secrets with key (32 bytes),
// with c's issuer and wrong-code limits.
func NewTOTP(store SecretStore, key []byte, c config.Access) (*TOTP, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	l := lockout{max: c.TOTP.MaxFailures, d: c.TOTP.Lockout, by: map[string]*strikes{}}
	return &TOTP{store: store, seal: s, issuer: c.Issuer, lock: l}, nil
}

// Enrollment is a new authenticator secret, to show once and only to its
// owner.
type Enrollment struct {
	URL string // otpauth://totp/…
	Key string // the base32 secret in the URL, to type in by hand
	PNG []byte // the URL as a QR code
}

// Enroll makes a new secret for u. Someone already enrolled must give a
// current code from the old authenticator to replace it, so that a stolen
// chat session cannot swap the second factor.
func (t *TOTP) Enroll(ctx context.Context, u opsbot.User, code string, now time.Time) (*Enrollment, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old, ok, err := t.store.Load(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("load totp secret: %w", err)
	}
	if ok {
		if code == "" {
			return nil, ErrEnrolled
		}
		if old, err = t.checkLocked(ctx, old, code, now); err != nil {
			return nil, err
		}
	}
	name := u.Name
	if name == "" {
		name = u.ID
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: t.issuer, AccountName: name + " (" + u.ID + ")", Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("generate totp secret: %w", err)
	}
	png, err := qrcode.Encode(key.URL(), qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	rec := Secret{UserID: u.ID, Sealed: t.seal.seal(u.ID, []byte(key.Secret())), EnrolledAt: now, Version: old.Version + 1}
	if err := t.store.Save(ctx, rec); err != nil {
		return nil, fmt.Errorf("save totp secret: %w", err)
	}
	return &Enrollment{URL: key.URL(), Key: key.Secret(), PNG: png}, nil
}

// Check accepts code for userID at now once.
func (t *TOTP) Check(ctx context.Context, userID, code string, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	rec, ok, err := t.store.Load(ctx, userID)
	if err != nil {
		return fmt.Errorf("load totp secret: %w", err)
	}
	if !ok {
		return ErrNotEnrolled
	}
	_, err = t.checkLocked(ctx, rec, code, now)
	return err
}

// checkLocked accepts code once and returns the record as saved. It
// counts wrong codes and refuses every code while the person is locked.
func (t *TOTP) checkLocked(ctx context.Context, rec Secret, code string, now time.Time) (Secret, error) {
	if err := t.lock.check(rec.UserID, now); err != nil {
		return rec, err
	}
	secret, err := t.seal.open(rec.UserID, rec.Sealed)
	if err != nil {
		return rec, err
	}
	s, ok := matchStep(string(secret), code, now)
	if !ok {
		return rec, t.lock.failed(rec.UserID, now)
	}
	if s <= rec.LastStep {
		return rec, ErrReplayed
	}
	t.lock.succeeded(rec.UserID)
	rec.LastStep, rec.Version = s, rec.Version+1
	if err := t.store.Save(ctx, rec); err != nil {
		return rec, fmt.Errorf("save totp step: %w", err)
	}
	return rec, nil
}

func step(t time.Time) uint64 { return uint64(t.Unix()) / period }

// matchStep finds the step (now ± one) whose code is code.
func matchStep(secret, code string, now time.Time) (uint64, bool) {
	for _, d := range []int{0, -1, 1} {
		at := now.Add(time.Duration(d*period) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, validate)
		if err == nil && len(code) == len(want) && subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1 {
			return step(at), true
		}
	}
	return 0, false
}
