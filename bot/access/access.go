// Package access decides who may do what and confirms write commands.
//
// Roles come from config by Slack user ID and user group (Roles implements
// the router's Authorizer). Write commands are confirmed by a TOTP code
// (RFC 6238) the requester sends in a DM, by the requester pressing a
// Confirm button, or by a second operator's approval (Confirmations).
// Authenticator secrets are stored encrypted with AES-GCM under a key from
// the environment (TOTP). Too many wrong codes in a row lock a person's
// second factor for a while (access.totp; counted in memory).
package access

import (
	"context"
	"fmt"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot"
	"github.com/opsbot/opsbot/config"
)

var (
	_ bot.Authorizer = (*Roles)(nil)
	_ bot.Granter    = (*Roles)(nil)
)

// Roles maps people to roles from the access config.
//
// It implements bot.Authorizer.
type Roles struct {
	users  map[string]opsbot.Role
	groups map[string]opsbot.Role
}

// NewRoles reads the readers, analysts and operators of c.
func NewRoles(c config.Access) *Roles {
	r := &Roles{users: map[string]opsbot.Role{}, groups: map[string]opsbot.Role{}}
	for role, m := range map[opsbot.Role]config.Members{
		opsbot.RoleReader: c.Readers, opsbot.RoleAnalyst: c.Analysts, opsbot.RoleOperator: c.Operators,
	} {
		for _, u := range m.Users {
			r.users[u] = max(r.users[u], role)
		}
		for _, g := range m.Groups {
			r.groups[g] = max(r.groups[g], role)
		}
	}
	return r
}

// Role is the strongest role u's ID or user groups give; anyone else is
// RoleNone. The display name is never looked at. Where commands may be
// asked (slack.channels) is the router's Place check, not a role.
func (r *Roles) Role(_ context.Context, u opsbot.User, _ string) opsbot.Role {
	if u.ID == "" {
		return opsbot.RoleNone
	}
	role := r.users[u.ID]
	for _, g := range u.Groups {
		role = max(role, r.groups[g])
	}
	return role
}

// Grant names the config lines that give u role: the access: list of the
// role, with u's ID.
func (r *Roles) Grant(u opsbot.User, role opsbot.Role) string {
	return fmt.Sprintf("To be given it, add `access: {%ss: {users: [%s]}}` to opsbot.yaml (or ask an operator to).", role, u.ID)
}
