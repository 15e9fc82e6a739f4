// Package pager wakes a service's on-call. A Router maps each configured
// service to a Notifier (PagerDuty, Opsgenie or a generic webhook, in the
// sub-packages, which never import each other) and retries what is worth
// retrying: 429, 5xx and network errors, with exponential backoff; a 400 is
// a bug to report, never retried.
package pager

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/retry"
	"github.com/opsbot/opsbot/pager/opsgenie"
	"github.com/opsbot/opsbot/pager/pagerduty"
	"github.com/opsbot/opsbot/pager/webhook"
)

// Notifier sends one page to one pager. It reports whether a failure is
// worth retrying (429, 5xx, network) or final (4xx: a bug or a bad key).
type Notifier interface {
	Notify(ctx context.Context, p opsbot.Page) (retry bool, err error)
}

var (
	_ Notifier = (*pagerduty.Notifier)(nil)
	_ Notifier = (*opsgenie.Notifier)(nil)
	_ Notifier = (*webhook.Notifier)(nil)
)

// Router routes pages by service.
type Router struct {
	routes     map[string]Notifier
	disabled   map[string]error // services that cannot page, and why
	newBackoff func() backoff.BackOff
}

// Service is one service's pager: a provider (pagerduty, opsgenie or
// webhook), its URL (empty: the provider's own) and its key, read from the
// variable KeyEnv names.
type Service struct {
	Provider string
	URL      string
	Key      string
	KeyEnv   string // where Key came from, to say what to set when it is empty
}

// Providers.
const (
	PagerDuty = "pagerduty"
	Opsgenie  = "opsgenie"
	Webhook   = "webhook"
)

// Options tune New.
type Options struct {
	// Client does the HTTP (http.DefaultClient with a 10s timeout by default).
	Client *http.Client
	// RetryFor bounds the retries of one page (exponential backoff).
	RetryFor time.Duration
	// Backoff makes the retry policy for one page (Exponential(RetryFor)
	// by default). Tests pass backoff.ZeroBackOff.
	Backoff func() backoff.BackOff
}

// New builds the Router for services. A service without the key its
// provider needs (pagerduty, opsgenie; a webhook's is optional) is
// disabled, not an error: Disabled says why and Notify refuses it, so
// that one missing secret stops nothing else.
func New(services map[string]Service, o Options) *Router {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Backoff == nil {
		o.Backoff = Exponential(o.RetryFor)
	}
	r := NewRouter(map[string]Notifier{}, o.Backoff)
	for name, s := range services {
		n, err := notifier(s, o.Client)
		if err != nil {
			r.disabled[name] = opsbot.Forbiddenf("the pager service %s is disabled: %w", name, err)
			continue
		}
		r.routes[name] = n
	}
	return r
}

func notifier(s Service, c *http.Client) (Notifier, error) {
	if s.Key == "" && s.Provider != Webhook {
		return nil, fmt.Errorf("%s is not set", s.KeyEnv)
	}
	switch s.Provider {
	case PagerDuty:
		return pagerduty.New(s.URL, s.Key, c), nil
	case Opsgenie:
		return opsgenie.New(s.URL, s.Key, c), nil
	case Webhook:
		return webhook.New(s.URL, s.Key, c), nil
	}
	return nil, fmt.Errorf("unknown provider %q", s.Provider)
}

// Disabled is why a configured service cannot page (its key is not set),
// or nil.
func (r *Router) Disabled(service string) error { return r.disabled[service] }

// NewRouter routes to the given notifiers, retrying with newBackoff.
func NewRouter(routes map[string]Notifier, newBackoff func() backoff.BackOff) *Router {
	return &Router{routes: routes, disabled: map[string]error{}, newBackoff: newBackoff}
}

// Exponential retries for at most d.
func Exponential(d time.Duration) func() backoff.BackOff {
	return func() backoff.BackOff {
		b := backoff.NewExponentialBackOff()
		b.InitialInterval = time.Second
		b.MaxElapsedTime = d
		return b
	}
}

// Services are the configured service names, disabled ones included,
// sorted.
func (r *Router) Services() []string {
	names := make([]string, 0, len(r.routes)+len(r.disabled))
	for n := range r.routes {
		names = append(names, n)
	}
	for n := range r.disabled {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Notify sends p to its service's pager, retrying what is retryable. An
// unknown service is an error wrapping opsbot.ErrNotFound that lists the
// known ones.
func (r *Router) Notify(ctx context.Context, p opsbot.Page) error {
	if err := r.disabled[p.Service]; err != nil {
		return err
	}
	n, ok := r.routes[p.Service]
	if !ok {
		known := strings.Join(r.Services(), ", ")
		if known == "" {
			known = "none configured (pager.services)"
		}
		return opsbot.NotFoundf("no pager service %q; known services: %s", p.Service, known)
	}
	tries := 0
	err := retry.Do(ctx, r.newBackoff(), func() (bool, error) {
		tries++
		return n.Notify(ctx, p)
	})
	if err != nil {
		return fmt.Errorf("page %s (%s) after %d attempt(s): %w", p.Service, p.Action, tries, err)
	}
	return nil
}
