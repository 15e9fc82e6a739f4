package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/opsbot/opsbot/deploy"
	"github.com/opsbot/opsbot/deploy/webhook"
)

// TestSignedDispatchAndStatus: the POST carries the JSON body, its
// timestamp and an HMAC-SHA256 signature a receiver can check with the
// shared secret; the deployer's id goes into the status URL; its states
// and jobs are read back; a 503 is worth another try, a 401 is not.
func TestSignedDispatchAndStatus(t *testing.T) {
	secret := []byte("s3cret-shared-with-jenkins")
	var body []byte
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /hooks/deploy":
			body, _ = io.ReadAll(r.Body)
			hdr = r.Header.Clone()
			io.WriteString(w, `{"id":"job-77"}`)
		case "GET /status/job-77":
			io.WriteString(w, `{"state":"failure","url":"https://ci.example/job-77","jobs":[{"name":"build","state":"success"},{"name":"roll out","state":"failure","url":"https://ci.example/job-77/2"}]}`)
		case "GET /status/busy":
			w.WriteHeader(503)
		default:
			w.WriteHeader(401)
		}
	}))
	defer srv.Close()
	now := time.Unix(1764770400, 0)
	tg := webhook.New(webhook.Options{URL: srv.URL + "/hooks/deploy", Secret: secret, StatusURL: srv.URL + "/status/{id}", HTTP: srv.Client(),
		Now: func() time.Time { return now }})
	run, err := tg.Dispatch(context.Background(), deploy.Spec{ID: "DABCDE", Service: "api", Env: "production", Ref: "v1.2.3", RequestedBy: "UALICE (alice)"})
	if err != nil || run != "job-77" {
		t.Fatalf("dispatch: %q %v", run, err)
	}
	if want := `{"environment":"production","id":"DABCDE","ref":"v1.2.3","requested_by":"UALICE (alice)","service":"api"}`; string(body) != want {
		t.Errorf("body %s", body)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("1764770400." + string(body)))
	if hdr.Get("X-Opsbot-Timestamp") != "1764770400" || hdr.Get("X-Opsbot-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", hdr)
	}
	st, err := tg.Status(context.Background(), run)
	want := deploy.Status{State: deploy.Failure, URL: "https://ci.example/job-77", Jobs: []deploy.Job{{Name: "build", State: deploy.Success}, {Name: "roll out", State: deploy.Failure, URL: "https://ci.example/job-77/2"}}}
	if err != nil || !reflect.DeepEqual(st, want) {
		t.Errorf("status %+v %v", st, err)
	}
	if _, err := tg.Status(context.Background(), "busy"); !errors.Is(err, deploy.ErrTemporary) {
		t.Errorf("503: %v", err)
	}
	if _, err := tg.Status(context.Background(), "nope"); err == nil || errors.Is(err, deploy.ErrTemporary) {
		t.Errorf("401: %v", err)
	}
	plain := webhook.New(webhook.Options{URL: srv.URL + "/hooks/deploy", Secret: secret, HTTP: srv.Client()})
	if st, err := plain.Status(context.Background(), "x"); err != nil || st.State != deploy.Accepted {
		t.Errorf("no status URL: %+v %v", st, err)
	}
}
