package aws

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/opsbot/opsbot/infra"
	"github.com/opsbot/opsbot/infra/infratest"
)

var now = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// Keep the machine's AWS setup out of the tests: credentials are
	// static, endpoints loopback.
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"} {
		os.Unsetenv(k)
	}
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

type noDelay struct{}

func (noDelay) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// newSource audits one account "prod" served by srv in regions.
func newSource(srv *infratest.AWS, regions []string, mod ...func(*Options)) *Accounts {
	o := Options{
		Accounts:        []Account{{Name: "prod", Regions: regions, Endpoint: srv.URL}},
		PublicPorts:     []int{80, 443},
		AccessKeyMaxAge: 90 * 24 * time.Hour,
		OwnerTags:       []string{"Owner", "Team"},
		MaxAttempts:     4,
		Parallel:        3,
		Credentials:     credentials.NewStaticCredentialsProvider(infratest.AccessKeyID, infratest.SecretKey, ""),
		Backoff:         noDelay{},
	}
	for _, m := range mod {
		m(&o)
	}
	return New(o)
}

func audit(t *testing.T, s *Accounts, checks ...infra.Check) (found, errs []infra.Finding) {
	t.Helper()
	fs := s.Audit(context.Background(), infra.Query{Checks: checks, Now: now, Since: now.Add(-time.Hour)})
	for _, f := range fs {
		if f.IsError() {
			errs = append(errs, f)
		} else {
			found = append(found, f)
		}
	}
	infra.Sort(found)
	return found, errs
}

// brief renders findings as "check|region|resource|owner|detail" lines,
// sorted, for comparison with expectations written out by hand.
func brief(fs []infra.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, strings.Join([]string{string(f.Check), string(f.Severity), f.Region, f.Resource, f.Owner, f.Detail}, "|"))
	}
	sort.Strings(out)
	return out
}

func expect(t *testing.T, got []infra.Finding, want ...string) {
	t.Helper()
	sort.Strings(want)
	g := brief(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func noErrors(t *testing.T, errs []infra.Finding) {
	t.Helper()
	if len(errs) > 0 {
		t.Fatalf("unexpected error findings: %s", strings.Join(brief(errs), "\n"))
	}
}

// params lists one parameter across calls.
func params(cs []infratest.Call, name string) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Params.Get(name))
	}
	return out
}

func sorted(xs []string) []string {
	sort.Strings(xs)
	return xs
}

func ptime(t time.Time) *time.Time { return &t }
