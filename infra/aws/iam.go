package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/opsbot/opsbot/infra"
)

// iamUsers checks every IAM user of the account: a console password
// without an MFA device (GetLoginProfile, ListMFADevices) and active access
// keys older than the configured age (ListAccessKeys). Owners come from
// the user's tags (ListUserTags), read only for users with a finding.
func (s *scope) iamUsers(ctx context.Context) []infra.Finding {
	s = s.global()
	c := iam.NewFromConfig(s.cfg)
	var out []infra.Finding
	if s.q.Has(infra.CheckMFA) {
		out = append(out, s.root(ctx, c)...)
	}
	users, err := listUsers(ctx, c)
	if err != nil {
		out = append(out, s.fail(infra.CheckMFA, "", "list IAM users", err))
	}
	return append(out, s.eachUser(ctx, c, users)...)
}

// eachUser checks users a few at a time (IAM's rate limits are low; the
// retryer absorbs throttling).
func (s *scope) eachUser(ctx context.Context, c *iam.Client, users []types.User) []infra.Finding {
	results := make([][]infra.Finding, len(users))
	sem := make(chan struct{}, s.a.opts.Parallel)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = s.iamUser(ctx, c, sdkaws.ToString(u.UserName))
		}()
	}
	wg.Wait()
	var out []infra.Finding
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// root reports a root user without MFA or with access keys
// (GetAccountSummary).
func (s *scope) root(ctx context.Context, c *iam.Client) []infra.Finding {
	sum, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return []infra.Finding{s.fail(infra.CheckMFA, "root", "read the account summary (root MFA)", err)}
	}
	var out []infra.Finding
	if v, ok := sum.SummaryMap["AccountMFAEnabled"]; ok && v == 0 {
		out = append(out, s.finding(infra.CheckMFA, infra.SeverityHigh, "root", "root", "root user has no MFA device"))
	}
	if sum.SummaryMap["AccountAccessKeysPresent"] > 0 {
		out = append(out, s.finding(infra.CheckAccessKeys, infra.SeverityHigh, "root", "root", "root user has access keys: delete them"))
	}
	return out
}

func listUsers(ctx context.Context, c *iam.Client) ([]types.User, error) {
	var users []types.User
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return users, err
		}
		users = append(users, page.Users...)
	}
	return users, nil
}

func (s *scope) iamUser(ctx context.Context, c *iam.Client, name string) []infra.Finding {
	var found, errs []infra.Finding
	if s.q.Has(infra.CheckMFA) {
		f, err := s.mfa(ctx, c, name)
		found, errs = appendResult(found, errs, f, err)
	}
	if s.q.Has(infra.CheckAccessKeys) {
		fs, err := s.oldKeys(ctx, c, name)
		found = append(found, fs...)
		if err != nil {
			errs = append(errs, *err)
		}
	}
	if len(found) > 0 {
		owner, err := userOwner(ctx, c, name, s)
		if err != nil {
			errs = append(errs, s.fail(found[0].Check, name, "read the tags of IAM user "+name, err))
		}
		for i := range found {
			found[i].Owner = owner
		}
	}
	return append(found, errs...)
}

func appendResult(found, errs []infra.Finding, f *infra.Finding, err *infra.Finding) ([]infra.Finding, []infra.Finding) {
	if f != nil {
		found = append(found, *f)
	}
	if err != nil {
		errs = append(errs, *err)
	}
	return found, errs
}

// mfa reports a user who has a console password and no MFA device.
func (s *scope) mfa(ctx context.Context, c *iam.Client, name string) (*infra.Finding, *infra.Finding) {
	lp, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: &name})
	var none *types.NoSuchEntityException
	if errors.As(err, &none) {
		return nil, nil // no console password
	}
	if err != nil {
		f := s.fail(infra.CheckMFA, name, "read the login profile of IAM user "+name, err)
		return nil, &f
	}
	has, err := hasMFA(ctx, c, name)
	if err != nil {
		f := s.fail(infra.CheckMFA, name, "list the MFA devices of IAM user "+name, err)
		return nil, &f
	}
	if has {
		return nil, nil
	}
	f := s.finding(infra.CheckMFA, infra.SeverityHigh, name, name,
		"console password, no MFA device")
	if lp.LoginProfile != nil && lp.LoginProfile.CreateDate != nil {
		f.At = lp.LoginProfile.CreateDate.UTC()
	}
	return &f, nil
}

func hasMFA(ctx context.Context, c *iam.Client, name string) (bool, error) {
	p := iam.NewListMFADevicesPaginator(c, &iam.ListMFADevicesInput{UserName: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		if len(page.MFADevices) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// oldKeys reports the user's active access keys older than the maximum age.
func (s *scope) oldKeys(ctx context.Context, c *iam.Client, name string) ([]infra.Finding, *infra.Finding) {
	var out []infra.Finding
	p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			f := s.fail(infra.CheckAccessKeys, name, "list the access keys of IAM user "+name, err)
			return out, &f
		}
		for _, k := range page.AccessKeyMetadata {
			if f, ok := s.oldKey(name, k); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func (s *scope) oldKey(user string, k types.AccessKeyMetadata) (infra.Finding, bool) {
	if k.Status != types.StatusTypeActive || k.CreateDate == nil {
		return infra.Finding{}, false
	}
	age := s.q.Now.Sub(*k.CreateDate)
	if age <= s.a.opts.AccessKeyMaxAge {
		return infra.Finding{}, false
	}
	id := sdkaws.ToString(k.AccessKeyId)
	days := int(age / (24 * time.Hour))
	f := s.finding(infra.CheckAccessKeys, infra.SeverityMedium, user, id,
		fmt.Sprintf("key %s: %d days old (max %d)", id, days, int(s.a.opts.AccessKeyMaxAge/(24*time.Hour))))
	f.At = k.CreateDate.UTC()
	return f, true
}

func userOwner(ctx context.Context, c *iam.Client, name string, s *scope) (string, error) {
	tags := map[string]string{}
	p := iam.NewListUserTagsPaginator(c, &iam.ListUserTagsInput{UserName: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, t := range page.Tags {
			tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return s.ownerOf(tags), nil
}
