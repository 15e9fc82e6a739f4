package aws

import (
	"errors"
	"fmt"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/opsbot/opsbot/infra"
)

// scope is one task's account, region and query.
type scope struct {
	a      *Accounts
	acct   Account
	region string // "" in findings of global services
	cfg    sdkaws.Config
	q      infra.Query
}

// global is s for a global service (IAM): findings carry no region.
func (s *scope) global() *scope {
	g := *s
	g.region = ""
	return &g
}

func (s *scope) finding(c infra.Check, sev infra.Severity, resource, id, detail string) infra.Finding {
	return infra.Finding{Check: c, Severity: sev, Account: s.acct.Name, Region: s.region,
		Resource: resource, ID: id, Detail: detail}
}

// fail reports that what could not be done: an error finding for check c
// (about resource, or the whole scope when resource is "").
func (s *scope) fail(c infra.Check, resource, what string, err error) infra.Finding {
	f := s.finding(c, infra.SeverityError, resource, "error: "+what, "could not "+what+": "+describe(err))
	return f
}

// describe renders an AWS error as its code and message, with the number
// of attempts when retries ran out.
func describe(err error) string {
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		msg += fmt.Sprintf(" (gave up after %d attempts)", me.Attempt)
	}
	return msg
}

// ownerOf is the value of the first configured owner tag present.
func (s *scope) ownerOf(tags map[string]string) string {
	for _, k := range s.a.opts.OwnerTags {
		if v := strings.TrimSpace(tags[k]); v != "" {
			return v
		}
	}
	return ""
}

// withName renders "id (name)", or id alone.
func withName(id, name string) string {
	if name == "" || name == id {
		return id
	}
	return id + " (" + name + ")"
}
