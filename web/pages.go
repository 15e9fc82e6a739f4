package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/bot/access"
	"github.com/opsbot/opsbot/internal/text"
)

// pendingView is an open confirmation as its page shows it.
type pendingView struct {
	ID, Summary, Requester, Channel, Text, Expires string
	Details                                        []access.Detail
	Hits                                           *opsbot.Reply
}

// confirmPage shows what confirmation id will do, to its requester only.
func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request, ss *session) {
	p, status, msg := s.pending(r.PathValue("id"), ss)
	if p == nil {
		s.render(w, status, "error.html", view{Title: "Cannot confirm", Session: ss, Error: msg})
		return
	}
	a := p.Action
	pv := &pendingView{ID: p.ID, Summary: a.Summary, Requester: who(a.Requester), Channel: a.Channel, Text: text.Visible(a.Text),
		Expires: p.Expires.UTC().Format("2006-01-02 15:04:05Z"), Hits: a.Hits}
	for _, d := range a.Details {
		if d.Value != "" {
			pv.Details = append(pv.Details, access.Detail{Name: d.Name, Value: text.Visible(d.Value)})
		}
	}
	s.render(w, http.StatusOK, "confirm.html", view{Title: "Confirm " + a.Command, Session: ss, Pending: pv})
}

// pending finds open oidc confirmation id for ss's user, or says why not.
func (s *Server) pending(id string, ss *session) (*access.Pending, int, string) {
	p, ok := s.o.Confirmations.Get(strings.ToUpper(id))
	switch {
	case !ok:
		return nil, http.StatusNotFound, fmt.Sprintf("No open confirmation %q: it was used, cancelled or expired, or never existed. Ask again in chat.", text.Visible(id))
	case p.Action.Method != "oidc":
		return nil, http.StatusForbidden, fmt.Sprintf("%s is not confirmed on this page: follow the reply in chat.", p.ID)
	case p.Action.Requester.ID != ss.User.ID:
		return nil, http.StatusForbidden, fmt.Sprintf("Only %s, who asked, can confirm %s; you are signed in as %s (%s).", who(p.Action.Requester), p.ID, ss.User.ID, ss.Email)
	}
	return p, http.StatusOK, ""
}

// confirmPost confirms id through the router, as `confirm ID` with the
// sign-in as proof: roles and the audit entry are the router's, the
// checks (requester, lifetime, once) the confirmation's. The requester's
// Slack profile must still hold the signed-in email (users.info).
func (s *Server) confirmPost(w http.ResponseWriter, r *http.Request, ss *session) {
	id := strings.ToUpper(r.PathValue("id"))
	email, err := s.o.Directory.Email(r.Context(), ss.User.ID)
	if err != nil || !strings.EqualFold(email, ss.Email) {
		s.fail(w, r, http.StatusForbidden, "Refused", fmt.Sprintf("the Slack profile of %s no longer holds %s: sign in again", ss.User.ID, ss.Email))
		return
	}
	ctx := access.WithSignIn(r.Context(), access.SignIn{Email: ss.Email, Subject: ss.Subject, Issuer: ss.Issuer})
	reply := s.o.Bot.Handle(ctx, &opsbot.Request{User: ss.User, Transport: "web", Text: "confirm " + id, Now: s.o.Now()})
	status := http.StatusOK
	if reply.Ephemeral {
		status = http.StatusForbidden
	}
	s.render(w, status, "confirm.html", view{Title: "Confirmation " + id, Session: ss, Reply: reply, Done: true})
}

// daily shows the daily analysis of /reports/daily/YYYY-MM-DD.
func (s *Server) daily(w http.ResponseWriter, r *http.Request, ss *session) {
	day, err := time.ParseInLocation("2006-01-02", r.PathValue("day"), s.o.Source.Location())
	if err != nil {
		s.render(w, http.StatusBadRequest, "error.html", view{Title: "No such day", Session: ss, Error: "the address ends in a day, YYYY-MM-DD"})
		return
	}
	if !day.Before(s.o.Now()) {
		s.render(w, http.StatusNotFound, "error.html", view{Title: "Not yet", Session: ss, Error: day.Format("2006-01-02") + " has not started yet"})
		return
	}
	p, err := s.o.Source.Daily(r.Context(), day)
	if err != nil {
		s.answerErr(w, ss, err)
		return
	}
	s.render(w, http.StatusOK, "page.html", view{Title: p.Reply.Title, Session: ss, Page: p})
}

// ask shows the answer to ?q=PHRASE.
func (s *Server) ask(w http.ResponseWriter, r *http.Request, ss *session) {
	q, ok := s.phrase(w, r, ss)
	if !ok {
		return
	}
	p, err := s.o.Source.Ask(r.Context(), q, s.o.Now())
	if err != nil {
		s.answerErr(w, ss, err)
		return
	}
	v := view{Title: p.Reply.Title, Session: ss, Page: p, Phrase: q}
	if p.Reply.Table != nil && len(p.Reply.Table.Rows) > 0 {
		v.CSV = "/ask.csv?q=" + urlQuery(q)
	}
	if v.Title == "" {
		v.Title = text.Visible(q)
	}
	s.render(w, http.StatusOK, "page.html", v)
}

// askCSV is the answer's table as CSV (raw values, cells made safe for
// spreadsheets by text.WriteCSV).
func (s *Server) askCSV(w http.ResponseWriter, r *http.Request, ss *session) {
	q, ok := s.phrase(w, r, ss)
	if !ok {
		return
	}
	p, err := s.o.Source.Ask(r.Context(), q, s.o.Now())
	if err != nil || p.Reply.Table == nil {
		s.answerErr(w, ss, errors.Join(err, opsbot.Invalidf("this phrase answers no table")))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="opsbot.csv"`)
	if err := text.WriteCSV(w, p.Reply.Table); err != nil {
		s.o.Log.Warn("web: csv", "err", err)
	}
}

const maxPhrase = 500

func (s *Server) phrase(w http.ResponseWriter, r *http.Request, ss *session) (string, bool) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" || len(q) > maxPhrase {
		s.render(w, http.StatusBadRequest, "error.html", view{Title: "Ask", Session: ss,
			Error: fmt.Sprintf("ask with ?q=PHRASE (up to %d characters), e.g. /ask?q=top+4xx+by+ip", maxPhrase)})
		return "", false
	}
	return q, true
}

// answerErr shows bad input as a 400 with its message, other failures as
// a 500 without their detail (logged).
func (s *Server) answerErr(w http.ResponseWriter, ss *session, err error) {
	if errors.Is(err, opsbot.ErrInvalid) || errors.Is(err, opsbot.ErrNotFound) {
		s.render(w, http.StatusBadRequest, "error.html", view{Title: "Cannot answer", Session: ss, Error: text.Visible(opsbot.ErrorText(err))})
		return
	}
	s.o.Log.Error("web: answer", "err", err)
	s.render(w, http.StatusInternalServerError, "error.html", view{Title: "Failed", Session: ss, Error: "opsbot could not answer: the log says why"})
}

func who(u opsbot.User) string {
	if u.Name != "" {
		return u.ID + " (" + u.Name + ")"
	}
	return u.ID
}
