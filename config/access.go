package config

import (
	"fmt"
	"time"
)

// Access is the `access:` section: who may do what, and how write commands
// are confirmed. Identity is the Slack user ID (or the terminal chat's local
// identity, slack.terminal.user), never a display name. Where commands are
// answered is slack.channels; where write actions are posted is
// slack.rooms.audit.
type Access struct {
	// Readers ask read phrases; Analysts also run raw read-only SQL;
	// Operators also ban, unban, page and silence. A person holds the
	// strongest role any of their IDs or user groups gives.
	Readers   Members `yaml:"readers"`
	Analysts  Members `yaml:"analysts"`
	Operators Members `yaml:"operators"`
	// Redirectors may also change the redirect map (`redirect`,
	// `unredirect`); an operator approves their changes.
	Redirectors Members `yaml:"redirectors"`
	// Confirm picks the confirmation of each write command: totp (a code
	// from the requester's authenticator, sent in a DM; the default),
	// button (the requester presses Confirm) or approval (a second
	// operator approves) or oidc (the requester signs in on opsbot's web
	// page, web:, and presses Confirm there).
	Confirm map[string]string `yaml:"confirm"`
	// ConfirmWithin is how long a confirmation stays open (5m).
	ConfirmWithin time.Duration `yaml:"confirm_within"`
	// SecretKeyEnv names the variable holding the base64 32-byte key that
	// encrypts TOTP secrets (OPSBOT_SECRET_KEY). The audit log's hash
	// chain is keyed with a subkey derived from it (package auditlog).
	SecretKeyEnv string `yaml:"secret_key_env"`
	// Issuer is the name authenticator apps show (opsbot).
	Issuer string `yaml:"issuer"`
	// TOTP limits wrong authenticator codes per person.
	TOTP TOTPLimits `yaml:"totp"`
}

// TOTPLimits is the `access.totp:` section: how many wrong codes (in
// `confirm ID CODE` and `2fa enroll CODE` alike) lock a person's second
// factor, and for how long.
type TOTPLimits struct {
	// MaxFailures wrong codes in a row lock the person's second factor (5).
	MaxFailures int `yaml:"max_failures"`
	// Lockout is how long it stays locked; even a right code is refused
	// meanwhile (15m). Wrong codes older than this are forgotten.
	Lockout time.Duration `yaml:"lockout"`
}

// Members are Slack user IDs and user group IDs.
type Members struct {
	Users  []string `yaml:"users"`
	Groups []string `yaml:"groups"`
}

// Confirmation methods.
const (
	ConfirmTOTP     = "totp"
	ConfirmButton   = "button"
	ConfirmApproval = "approval"
)

// WriteCommands are the commands that take a confirmation.
var WriteCommands = []string{"ban", "unban", "page", "redirect", "unredirect"}

func (c *Access) defaults() {
	c.ConfirmWithin = 5 * time.Minute
	c.SecretKeyEnv = "OPSBOT_SECRET_KEY"
	c.Issuer = "opsbot"
	c.TOTP = TOTPLimits{MaxFailures: 5, Lockout: 15 * time.Minute}
}

// ConfirmMethod is the confirmation command needs (totp unless configured).
func (c *Access) ConfirmMethod(command string) string {
	if m, ok := c.Confirm[command]; ok {
		return m
	}
	return ConfirmTOTP
}

func (c *Access) validate() error {
	for cmd, m := range c.Confirm {
		if !isWriteCommand(cmd) {
			return fieldErr("access.confirm."+cmd, "is not a write command (one of %v)", WriteCommands)
		}
		if m != ConfirmTOTP && m != ConfirmButton && m != ConfirmApproval && m != ConfirmOIDC {
			return fieldErr("access.confirm."+cmd, "must be totp, button, approval or oidc, got %q", m)
		}
	}
	switch {
	case c.ConfirmWithin < 30*time.Second || c.ConfirmWithin > time.Hour:
		return fieldErr("access.confirm_within", "must be between 30s and 1h, got %s", c.ConfirmWithin)
	case c.SecretKeyEnv == "":
		return fieldErr("access.secret_key_env", "name the environment variable holding the TOTP encryption key")
	case c.Issuer == "":
		return fieldErr("access.issuer", "must not be empty")
	case c.TOTP.MaxFailures < 1 || c.TOTP.MaxFailures > 20:
		return fieldErr("access.totp.max_failures", "must be between 1 and 20 wrong codes, got %d", c.TOTP.MaxFailures)
	case c.TOTP.Lockout < time.Minute || c.TOTP.Lockout > 24*time.Hour:
		return fieldErr("access.totp.lockout", "must be between 1m and 24h, got %s", c.TOTP.Lockout)
	}
	for role, m := range map[string]Members{"readers": c.Readers, "analysts": c.Analysts, "operators": c.Operators} {
		for i, u := range m.Users {
			if u == "" {
				return fieldErr(fmt.Sprintf("access.%s.users[%d]", role, i), "is empty")
			}
		}
	}
	return nil
}

func isWriteCommand(cmd string) bool {
	for _, w := range WriteCommands {
		if w == cmd {
			return true
		}
	}
	return false
}
