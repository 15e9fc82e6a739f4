package infratest

import (
	"fmt"
	"net/http"
	"time"
)

const awsTime = "2006-01-02T15:04:05Z"

func (a *AWS) answer(w http.ResponseWriter, c Call) *apiErr {
	var (
		res any
		err *apiErr
	)
	switch c.Service {
	case "iam":
		res, err = a.iam(c)
	case "sts":
		res, err = a.sts(c)
	case "ec2":
		res, err = a.ec2(c)
		if err == nil {
			writeEC2(w, c.Action, res, a.reqs)
		}
		return err
	case "elbv2":
		res, err = a.elbv2(c)
	case "elb":
		res, err = a.classic(c)
	case "ce":
		res, err = a.costExplorer(c)
		if err == nil {
			writeJSON(w, res, a.reqs)
		}
		return err
	}
	if err == nil {
		writeQuery(w, c.Service, c.Action, res, a.reqs)
	}
	return err
}

func unknownAction(c Call) *apiErr {
	return &apiErr{400, "InvalidAction", fmt.Sprintf("%s has no action %q here", c.Service, c.Action)}
}

type member struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type iamUser struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type paged struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

func (a *AWS) iam(c Call) (any, *apiErr) {
	p := c.Params
	switch c.Action {
	case "ListUsers":
		return a.listUsers(p.Get("Marker"), p.Get("MaxItems"))
	case "GetAccountSummary":
		return a.accountSummary(), nil
	}
	u := a.user(p.Get("UserName"))
	if u == nil {
		return nil, &apiErr{404, "NoSuchEntity", fmt.Sprintf("The user with name %s cannot be found.", p.Get("UserName"))}
	}
	switch c.Action {
	case "GetLoginProfile":
		if u.Password == nil {
			return nil, &apiErr{404, "NoSuchEntity", fmt.Sprintf("Login Profile for User %s cannot be found.", u.Name)}
		}
		type profile struct {
			UserName              string `xml:"UserName"`
			CreateDate            string `xml:"CreateDate"`
			PasswordResetRequired bool   `xml:"PasswordResetRequired"`
		}
		return struct {
			LoginProfile profile `xml:"LoginProfile"`
		}{profile{u.Name, u.Password.UTC().Format(awsTime), false}}, nil
	case "ListMFADevices":
		return a.listMFA(u, p.Get("Marker"), p.Get("MaxItems"))
	case "ListAccessKeys":
		return a.listKeys(u, p.Get("Marker"), p.Get("MaxItems"))
	case "ListUserTags":
		return a.listUserTags(u, p.Get("Marker"), p.Get("MaxItems"))
	}
	return nil, unknownAction(c)
}

func (a *AWS) user(name string) *User {
	for i := range a.world.Users {
		if a.world.Users[i].Name == name {
			return &a.world.Users[i]
		}
	}
	return nil
}

func (a *AWS) listUsers(marker, size string) (any, *apiErr) {
	from, to, next, err := a.page(len(a.world.Users), marker, size, 1000)
	if err != nil {
		return nil, err
	}
	var us []iamUser
	for i, u := range a.world.Users[from:to] {
		us = append(us, iamUser{"/", u.Name, fmt.Sprintf("AIDA%016d", from+i),
			fmt.Sprintf("arn:aws:iam::%s:user/%s", a.world.AccountID, u.Name), "2020-01-01T00:00:00Z"})
	}
	return struct {
		Users []iamUser `xml:"Users>member"`
		paged
	}{us, paged{next != "", next}}, nil
}

func (a *AWS) listMFA(u *User, marker, size string) (any, *apiErr) {
	from, to, next, err := a.page(len(u.MFA), marker, size, 1000)
	if err != nil {
		return nil, err
	}
	type device struct {
		UserName     string `xml:"UserName"`
		SerialNumber string `xml:"SerialNumber"`
		EnableDate   string `xml:"EnableDate"`
	}
	var ds []device
	for _, s := range u.MFA[from:to] {
		ds = append(ds, device{u.Name, s, "2024-03-01T10:00:00Z"})
	}
	return struct {
		MFADevices []device `xml:"MFADevices>member"`
		paged
	}{ds, paged{next != "", next}}, nil
}

func (a *AWS) listKeys(u *User, marker, size string) (any, *apiErr) {
	from, to, next, err := a.page(len(u.Keys), marker, size, 1000)
	if err != nil {
		return nil, err
	}
	type key struct {
		UserName    string `xml:"UserName"`
		AccessKeyID string `xml:"AccessKeyId"`
		Status      string `xml:"Status"`
		CreateDate  string `xml:"CreateDate"`
	}
	var ks []key
	for _, k := range u.Keys[from:to] {
		status := "Active"
		if k.Inactive {
			status = "Inactive"
		}
		ks = append(ks, key{u.Name, k.ID, status, k.Created.UTC().Format(awsTime)})
	}
	return struct {
		AccessKeyMetadata []key `xml:"AccessKeyMetadata>member"`
		paged
	}{ks, paged{next != "", next}}, nil
}

func (a *AWS) listUserTags(u *User, marker, size string) (any, *apiErr) {
	tags := sortedTags(u.Tags)
	from, to, next, err := a.page(len(tags), marker, size, 1000)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags []member `xml:"Tags>member"`
		paged
	}{tags[from:to], paged{next != "", next}}, nil
}

func (a *AWS) sts(c Call) (any, *apiErr) {
	r := a.world.Role
	if c.Action != "AssumeRole" || r == nil {
		return nil, unknownAction(c)
	}
	p := c.Params
	if p.Get("RoleArn") != r.ARN {
		return nil, &apiErr{403, "AccessDenied", "not authorized to perform sts:AssumeRole on " + p.Get("RoleArn")}
	}
	if r.ExternalID != "" && p.Get("ExternalId") != r.ExternalID {
		return nil, &apiErr{403, "AccessDenied", "external ID mismatch"}
	}
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type assumed struct {
		Arn           string `xml:"Arn"`
		AssumedRoleID string `xml:"AssumedRoleId"`
	}
	return struct {
		Credentials     creds   `xml:"Credentials"`
		AssumedRoleUser assumed `xml:"AssumedRoleUser"`
	}{creds{r.AccessKeyID, r.Secret, r.SessionToken, time.Now().Add(time.Hour).UTC().Format(awsTime)},
		assumed{r.ARN + "/" + p.Get("RoleSessionName"), "AROA0000:" + p.Get("RoleSessionName")}}, nil
}

// accountSummary is GetAccountSummary's SummaryMap (a few of its keys).
func (a *AWS) accountSummary() any {
	type entry struct {
		Key   string `xml:"key"`
		Value int    `xml:"value"`
	}
	b := map[bool]int{false: 0, true: 1}
	return struct {
		SummaryMap []entry `xml:"SummaryMap>entry"`
	}{[]entry{
		{"AccountMFAEnabled", b[!a.world.RootWithoutMFA]},
		{"AccountAccessKeysPresent", b[a.world.RootAccessKeys]},
		{"Users", len(a.world.Users)},
		{"UsersQuota", 5000},
		{"MFADevicesInUse", 0},
	}}
}
