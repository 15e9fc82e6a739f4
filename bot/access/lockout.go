package access

import (
	"errors"
	"fmt"
	"time"
)

// ErrLocked is a second factor locked after too many wrong codes, for
// errors.Is.
var ErrLocked = errors.New("your second factor is locked")

// lockout counts wrong codes per person and, after max in a row, refuses
// every code of theirs — even a right one — for d. Wrong codes older than
// d are forgotten; a right code forgets them all.
//
// It lives in memory: a restart forgets wrong codes and lifts locks. Only
// operators reach a code check, and restarting opsbot takes its host,
// where the secret key lives anyway. Replicas would each count on their
// own: keep it in the warehouse if opsbot ever runs more than one.
type lockout struct {
	max int
	d   time.Duration
	by  map[string]*strikes // user ID →; guarded by TOTP.mu
}

// strikes are one person's recent wrong codes.
type strikes struct {
	n     int       // wrong codes in a row
	first time.Time // when the first of them came
	until time.Time // locked until then; zero: not locked
}

// check refuses userID's codes while they are locked.
func (l *lockout) check(userID string, now time.Time) error {
	s, ok := l.by[userID]
	switch {
	case !ok:
		return nil
	case now.Before(s.until):
		return l.locked(s)
	case !s.until.IsZero() || now.Sub(s.first) >= l.d:
		delete(l.by, userID) // the lock or the wrong codes are over
	}
	return nil
}

// failed counts a wrong code of userID and returns the error to show,
// wrapping ErrBadCode (and ErrLocked when this one locks).
func (l *lockout) failed(userID string, now time.Time) error {
	s, ok := l.by[userID]
	if !ok {
		s = &strikes{first: now}
		l.by[userID] = s
	}
	if s.n++; s.n >= l.max {
		s.until = now.Add(l.d)
		return fmt.Errorf("%w; %w", ErrBadCode, l.locked(s))
	}
	return fmt.Errorf("%w: %d more wrong in a row and your second factor locks for %s", ErrBadCode, l.max-s.n, short(l.d))
}

// short writes whole hours and minutes without trailing zero units.
func short(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// succeeded forgets userID's wrong codes.
func (l *lockout) succeeded(userID string) { delete(l.by, userID) }

func (l *lockout) locked(s *strikes) error {
	return fmt.Errorf("%w until %s after %d wrong codes in a row: try again then with a fresh code",
		ErrLocked, s.until.UTC().Format("15:04:05Z"), s.n)
}
