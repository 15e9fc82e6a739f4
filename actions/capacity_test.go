package actions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	"github.com/cenkalti/backoff/v4"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/actions"
	"github.com/opsbot/opsbot/config"
	"github.com/opsbot/opsbot/edge/waf"
)

// ipSet is a loopback AWS WAF holding one IPv4 set (awsJson1_1).
type ipSet struct {
	mu    sync.Mutex
	addrs []string
	token int
}

func (s *ipSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in struct {
		Addresses []string
		LockToken string
	}
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch r.Header.Get("X-Amz-Target") {
	case "AWSWAF_20190729.GetIPSet":
		json.NewEncoder(w).Encode(map[string]any{"IPSet": map[string]any{"Name": "bans", "Id": "s1", "ARN": "arn", "IPAddressVersion": "IPV4", "Addresses": s.addrs}, "LockToken": fmt.Sprint(s.token)})
	case "AWSWAF_20190729.UpdateIPSet":
		if in.LockToken != fmt.Sprint(s.token) {
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"WAFOptimisticLockException","Message":"stale"}`)
			return
		}
		s.addrs, s.token = in.Addresses, s.token+1
		io.WriteString(w, `{"NextLockToken":"x"}`)
	default:
		w.WriteHeader(400)
	}
}

func TestCapacityWarningAndFullSet(t *testing.T) {
	set := &ipSet{}
	srv := httptest.NewServer(set)
	defer srv.Close()
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	e := waf.New(waf.NewClient(cfg, "us-east-1", srv.URL), waf.Options{Name: "waf", Scope: types.ScopeCloudfront,
		IPv4: waf.Set{Name: "bans", ID: "s1"}, Limit: 10, MinInterval: time.Nanosecond,
		Policy: func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 2) }})
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button"} },
		func(d *actions.Deps) { d.Edges = []actions.Edge{e} })
	ban := func(ip string) *opsbot.Reply {
		r := wd.say(alice, "ban "+ip, false)
		return wd.say(alice, r.Buttons[0].Command, false)
	}
	for i := 1; i <= 9; i++ {
		ban(fmt.Sprintf("203.0.113.%d", i))
	}
	job := wd.wired.Expiry
	if n, _ := job.Run(context.Background(), wd.clk.Now()); len(n) != 0 {
		t.Fatalf("9 of 10 is not past 90%%: %+v", n)
	}
	r := ban("203.0.113.10")
	if !strings.Contains(r.Text, "(10 of 10 entries) ⚠ the set is over 90% full") {
		t.Errorf("10th ban: %+v", r)
	}
	n, _ := job.Run(context.Background(), wd.clk.Now())
	if len(n) != 1 || n[0].Level != opsbot.LevelWarn || n[0].Reply.Title != "Edge waf is 100% full (10 of 10 entries)" {
		t.Fatalf("capacity notice %+v", n)
	}
	if n, _ := job.Run(context.Background(), wd.clk.Now()); len(n) != 0 {
		t.Errorf("warned twice: %+v", n)
	}
	r = ban("203.0.113.11")
	if !r.Ephemeral || !strings.Contains(r.Text, "holds 10 of 10 addresses: edge set is full") {
		t.Errorf("11th ban: %+v", r)
	}
	if len(set.addrs) != 10 {
		t.Errorf("set holds %d", len(set.addrs))
	}
}

func TestExpiryRetriesWhenTheEdgeFails(t *testing.T) {
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button"} }, nil)
	r := wd.say(alice, "ban 203.0.113.9 for 1h", false)
	wd.say(alice, r.Buttons[0].Command, false)
	wd.clk.Add(2 * time.Hour)
	realKey := "fastly-secret"
	wd.acl.mu.Lock()
	wd.acl.key = "rotated" // the edge refuses the token for now
	wd.acl.mu.Unlock()
	n, err := wd.wired.Expiry.Run(context.Background(), wd.clk.Now())
	if err != nil || len(n) != 1 || n[0].Level != opsbot.LevelWarn || !strings.Contains(n[0].Reply.Title, "Could not lift 1 expired ban(s) at fastly") {
		t.Fatalf("failing edge: %+v %v", n, err)
	}
	if len(wd.acl.ips()) != 1 {
		t.Fatal("ban gone although the edge failed")
	}
	wd.acl.mu.Lock()
	wd.acl.key = realKey
	wd.acl.mu.Unlock()
	n, err = wd.wired.Expiry.Run(context.Background(), wd.clk.Now())
	if err != nil || len(n) != 1 || n[0].Level != opsbot.LevelAudit || len(wd.acl.ips()) != 0 {
		t.Fatalf("next run: %+v %v %v", n, err, wd.acl.ips())
	}
}

func TestExpiryWarnsAboutAnEdgeNoLongerConfigured(t *testing.T) {
	wd := newWorld(t, func(c *config.Config) { c.Access.Confirm = map[string]string{"ban": "button"} }, nil)
	r := wd.say(alice, "ban 203.0.113.9 for 1h", false)
	wd.say(alice, r.Buttons[0].Command, false)
	// the same records, read by a Skill whose config has no edges any more
	c := *wd.config
	c.Edges.Fastly = nil
	later, err := actions.Wire(context.Background(), actions.Deps{Config: &c, Warehouse: wd.wired.Skill.Warehouse(), Edges: []actions.Edge{}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := later.Expiry.Run(context.Background(), wd.clk.Now().Add(2*time.Hour))
	if err != nil || len(n) != 1 || n[0].Level != opsbot.LevelWarn || !strings.Contains(n[0].Reply.Title, "at fastly, which is no longer configured") {
		t.Fatalf("%+v %v", n, err)
	}
}
