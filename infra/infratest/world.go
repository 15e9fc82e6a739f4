// Package infratest serves loopback stand-ins for the APIs the audits call:
// AWS (IAM, EC2, ELBv2, classic ELB and STS over their query protocols,
// form-encoded POSTs answered in XML shaped as in AWS's API reference;
// Cost Explorer's GetCostAndUsage over AWS JSON 1.1) and
// GitHub's REST API (organization members, paged through Link headers).
// They serve a World that tests describe, check each request (signature
// scope, access key, action, version, paging parameters) and record it, and
// can be told to fail (AccessDenied, Throttling …) a number of times.
package infratest

import "time"

// World is what one AWS account holds.
type World struct {
	AccountID string // 12 digits; default 123456789012
	Users     []User // IAM
	// RootWithoutMFA and RootAccessKeys describe the root user (by
	// default it has MFA and no keys).
	RootWithoutMFA, RootAccessKeys bool
	Regions                        map[string]*Region // by region name
	// PageSize caps every listing's page (0: what the client asked for).
	PageSize int
	// Latency delays every answer, as a real region's round trip would
	// (benchmarks of concurrency).
	Latency time.Duration
	// Costs are what Cost Explorer reports (GetCostAndUsage).
	Costs []Cost
	// Role, when set, must be assumed: every call but STS's must be signed
	// with the role's credentials.
	Role *Role
}

// Role is an assumable role and the credentials AssumeRole hands out.
type Role struct {
	ARN          string
	ExternalID   string // required when set
	AccessKeyID  string
	Secret       string
	SessionToken string
}

// User is an IAM user.
type User struct {
	Name     string
	Password *time.Time // console password creation time; nil: none
	MFA      []string   // MFA device serial numbers
	Keys     []AccessKey
	Tags     map[string]string
}

// AccessKey is an IAM access key.
type AccessKey struct {
	ID       string
	Created  time.Time
	Inactive bool
}

// Region is what one region of the account holds.
type Region struct {
	SecurityGroups []SecurityGroup
	LoadBalancers  []LoadBalancer // ELBv2
	Classic        []ClassicLoadBalancer
	Instances      []Instance
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID, Name string
	Ingress  []Rule
	Tags     map[string]string
}

// Rule is one ingress permission.
type Rule struct {
	Protocol string // tcp, udp, icmp, -1
	From, To int32
	CIDRs    []string // IPv4
	IPv6     []string
}

// LoadBalancer is an application, network or gateway load balancer.
type LoadBalancer struct {
	Name      string
	Type      string // application, network, gateway
	Scheme    string // internet-facing, internal
	Listeners []Listener
	Tags      map[string]string
}

// Listener is a load balancer listener.
type Listener struct {
	Protocol      string // HTTP, HTTPS, TCP, TLS, UDP
	Port          int32
	RedirectHTTPS bool // ELBv2 HTTP: default action redirects to HTTPS
}

// ClassicLoadBalancer is a classic ELB.
type ClassicLoadBalancer struct {
	Name      string
	Scheme    string
	Listeners []Listener
	Tags      map[string]string
}

// Instance is an EC2 instance.
type Instance struct {
	ID, Type, State, KeyName string
	Launched                 time.Time
	Tags                     map[string]string
}
