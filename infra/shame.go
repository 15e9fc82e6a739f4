package infra

import (
	"fmt"
	"strings"
)

const (
	awsMFAHelp    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html"
	githubMFAHelp = "https://docs.github.com/en/authentication/securing-your-account-with-two-factor-authentication-2fa/configuring-two-factor-authentication"
)

// writeShame names, gently, everyone who signs in without a second
// factor; the ones new since the previous run are pointed out.
func writeShame(b *strings.Builder, fs, fresh []Finding) {
	var names, newNames []string
	isNew := keyed(fresh)
	for _, f := range fs {
		if f.IsError() || (f.Check != CheckMFA && f.Check != CheckGitHub2FA) {
			continue
		}
		names = append(names, person(f))
		if isNew[f.Key()] {
			newNames = append(newNames, handle(f))
		}
	}
	if len(names) == 0 {
		return
	}
	verb := "signs"
	if len(names) > 1 {
		verb = "sign"
	}
	fmt.Fprintf(b, "*MFA, please* :pray:\n%s still %s in with a password alone.", andList(names), verb)
	if len(newNames) > 0 {
		fmt.Fprintf(b, " New since last time: %s.", andList(newNames))
	}
	fmt.Fprintf(b, " It takes two minutes and protects all of us: AWS %s · GitHub %s\n\n", awsMFAHelp, githubMFAHelp)
}

// person is "alice (prod)", "alice (prod, owner: team-a)" or "@bob (github/acme)".
func person(f Finding) string {
	name := handle(f)
	if f.Owner != "" && f.Owner != name {
		return fmt.Sprintf("%s (%s, owner: %s)", name, f.Account, f.Owner)
	}
	return fmt.Sprintf("%s (%s)", name, f.Account)
}

func andList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// handle is how a person is called: "alice", or "@bob" on GitHub.
func handle(f Finding) string {
	if f.Check == CheckGitHub2FA {
		return "@" + f.Resource
	}
	return f.Resource
}
