package access

import (
	"context"
	"fmt"
)

// SignIn is the proof of a sign-in with the OpenID Connect provider: the
// verified claims of an ID token that mapped to the confirming user. Only
// the web pages put it in a context (WithSignIn); no chat transport can,
// so typing `confirm ID` never closes an oidc confirmation.
type SignIn struct {
	Email   string // verified email
	Subject string // the provider's subject
	Issuer  string
}

type signInKey struct{}

// WithSignIn is ctx carrying s, for Confirm.
func WithSignIn(ctx context.Context, s SignIn) context.Context {
	return context.WithValue(ctx, signInKey{}, s)
}

func signInFrom(ctx context.Context) (SignIn, bool) {
	s, ok := ctx.Value(signInKey{}).(SignIn)
	return s, ok && s.Email != ""
}

// checkSignIn refuses an oidc confirmation without a web sign-in.
func checkSignIn(ctx context.Context, id string) error {
	if _, ok := signInFrom(ctx); !ok {
		return fmt.Errorf("%w: %s is confirmed on its web page, after signing in: open the link in the reply", ErrWrongMethod, id)
	}
	return nil
}

// oidcApproval says how an oidc confirmation was approved.
func oidcApproval(ctx context.Context) string {
	s, _ := signInFrom(ctx)
	return "oidc as " + s.Email
}
