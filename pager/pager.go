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
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/config"
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
	newBackoff func() backoff.BackOff
}

// Options tune New.
type Options struct {
	// Getenv reads the keys (os.Getenv by default).
	Getenv func(string) string
	// Client does the HTTP (http.DefaultClient with a 10s timeout by default).
	Client *http.Client
	// Backoff makes the retry policy for one page (exponential, for
	// cfg.RetryFor, by default). Tests pass backoff.ZeroBackOff.
	Backoff func() backoff.BackOff
}

// New builds the Router for cfg. A service whose key variable is empty is
// an error that names the variable.
func New(cfg config.Pager, o Options) (*Router, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Backoff == nil {
		o.Backoff = Exponential(cfg.RetryFor)
	}
	routes := map[string]Notifier{}
	for _, name := range cfg.ServiceNames() {
		n, err := notifier(cfg.Services[name], o)
		if err != nil {
			return nil, fmt.Errorf("pager service %s: %w", name, err)
		}
		routes[name] = n
	}
	return NewRouter(routes, o.Backoff), nil
}

func notifier(s config.PagerService, o Options) (Notifier, error) {
	key := ""
	if s.KeyEnv != "" {
		key = o.Getenv(s.KeyEnv)
		if key == "" && s.Provider != config.ProviderWebhook {
			return nil, fmt.Errorf("environment variable %s (key_env) is empty", s.KeyEnv)
		}
	}
	switch s.Provider {
	case config.ProviderPagerDuty:
		return pagerduty.New(s.URL, key, o.Client), nil
	case config.ProviderOpsgenie:
		return opsgenie.New(s.URL, key, o.Client), nil
	case config.ProviderWebhook:
		return webhook.New(s.URL, key, o.Client), nil
	}
	return nil, fmt.Errorf("unknown provider %q", s.Provider)
}

// NewRouter routes to the given notifiers, retrying with newBackoff.
func NewRouter(routes map[string]Notifier, newBackoff func() backoff.BackOff) *Router {
	return &Router{routes: routes, newBackoff: newBackoff}
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

// Services are the configured service names, sorted.
func (r *Router) Services() []string {
	names := make([]string, 0, len(r.routes))
	for n := range r.routes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Notify sends p to its service's pager, retrying what is retryable. An
// unknown service is an error wrapping opsbot.ErrNotFound that lists the
// known ones.
func (r *Router) Notify(ctx context.Context, p opsbot.Page) error {
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
