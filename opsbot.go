// Package opsbot holds the small vocabulary that every part of opsbot shares:
// query results, chat requests and replies, users and roles, alert levels and
// pages. Implementations live in packages named for what they do (ingest,
// query, bot, slack, schedules, pager, edge …); they talk through these types
// and through small interfaces declared where they are used.
package opsbot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Params are named query parameters bound server-side to {name:Type}
// placeholders. Values are always passed as text; the engine parses them
// into the placeholder's type. Values from chat reach SQL only this way.
type Params map[string]string

// Column names one result column and its ClickHouse type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is a fully read query answer. Values in Rows use a fixed set of Go
// types whatever the engine: nil, bool, int64, uint64, float64, string,
// time.Time (UTC) and []any for arrays. IP addresses are strings.
type Result struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Stats   Stats    `json:"stats"`
}

// Stats describe what a query cost.
type Stats struct {
	RowsRead  uint64        `json:"rows_read"`
	BytesRead uint64        `json:"bytes_read"`
	Elapsed   time.Duration `json:"elapsed"`
}

// Col returns the index of the named column, or -1.
func (r *Result) Col(name string) int {
	for i, c := range r.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Role is what a person may do. Roles are ordered: each includes the ones
// before it.
type Role int

// Roles, weakest first.
const (
	RoleNone     Role = iota // strangers: nothing
	RoleReader               // read phrases in allowed channels
	RoleAnalyst              // + raw read-only SQL
	RoleOperator             // + ban, unban, page, silences
)

func (r Role) String() string {
	switch r {
	case RoleReader:
		return "reader"
	case RoleAnalyst:
		return "analyst"
	case RoleOperator:
		return "operator"
	}
	return "none"
}

// User is a person talking to opsbot. ID is the identity (a Slack user ID,
// or the local identity of the terminal chat); Name is for display only and
// is never used to decide anything.
type User struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Groups []string `json:"groups,omitempty"`
}

// Request is one chat command as any transport delivers it.
type Request struct {
	User      User
	Channel   string // channel ID; "" in the terminal chat
	Thread    string // thread timestamp when asked in a thread
	TS        string // the asker's message's timestamp (Slack), for threads under it
	DM        bool   // asked in a direct message
	Text      string // the command, without trigger ("opsbot", a mention)
	Transport string // "slack", "terminal", "socket" (a second process through the owner's unix socket)
	Now       time.Time
}

// Reply is what opsbot answers. Transports render it: Slack as Block Kit,
// the terminal as text.
type Reply struct {
	Title     string   // one line, e.g. "Top 10 4XX by ip, last hour (10:05–11:05 UTC)"
	Text      string   // free text (markdown-ish), may be empty
	Table     *Result  // tabular answer, may be nil
	Record    bool     // Table is one record (hits IP): text shows it as "column: value" lines
	Context   string   // footer: window, rows scanned, time taken, explain hint
	Files     []File   // charts, CSV exports
	Ephemeral bool     // errors, refusals and secrets: to the asker only, not kept (Slack shows no Files with it)
	Buttons   []Button // optional actions (confirmations)
	Here      bool     // notify everyone present (Slack @here); set by opsbot only, never from input
	Took      time.Duration
}

// File is an attachment.
type File struct {
	Name     string // e.g. "requests.png"
	Title    string
	MimeType string
	Data     []byte
}

// Button is an action offered under a reply. Pressing it sends Command as if
// the presser had typed it.
type Button struct {
	Label   string
	Command string
	Style   string // "", "primary", "danger"
}

// Skill answers a family of commands (the query phrases, ban/unban, page,
// silences, infra audits …).
//
// Contract: Commands is constant for the life of the Skill. Handle is only
// called with a request whose first word is the Name of one of Commands,
// after the router checked that the asker holds that Command's Role. Handle
// never returns a nil Reply with a nil error. An error is for failures the
// asker can't fix (the engine is down); bad input is answered with an
// Ephemeral Reply that names what was wrong and suggests the right form.
// Handle is safe for concurrent use.
type Skill interface {
	Commands() []Command
	Handle(ctx context.Context, req *Request) (*Reply, error)
}

// Command describes one command word for routing and for help.
type Command struct {
	Name     string // first word: "top", "ban", "silence"
	Usage    string // "ban IP|CIDR [for 24h] [reason]"
	Summary  string // one line: what it answers or does
	Role     Role   // least role needed
	Write    bool   // changes something outside opsbot (an edge, a pager)
	Examples []string
}

// Handler answers one chat request through the router, roles and audit
// included: *bot.Bot is the one every transport (Slack, the terminal chat,
// the local socket) hands its requests to.
type Handler interface {
	Handle(ctx context.Context, req *Request) *Reply
}

// Level is how loud a notification is.
type Level int

// Levels, quietest first.
const (
	LevelAudit Level = iota // #tech-audits: things to look into
	LevelWarn               // #tech-alerts: a warning
	LevelPage               // the on-call's pager, and #tech-alerts
)

func (l Level) String() string {
	switch l {
	case LevelWarn:
		return "warn"
	case LevelPage:
		return "page"
	}
	return "audit"
}

// PageAction says whether a page opens or closes an incident.
type PageAction string

// Page actions.
const (
	PageTrigger PageAction = "trigger"
	PageResolve PageAction = "resolve"
)

// Page is one request to a pager: open (or resolve) an incident for a
// service's on-call.
type Page struct {
	Service  string     // service name from config: its routing key lives there
	Action   PageAction // trigger or resolve
	DedupKey string     // repeats with the same key update one incident
	Summary  string     // ≤ 1024 characters
	Severity string     // critical, error, warning, info
	Source   string     // who or what raised it ("rule 5xx-ratio", "U123 via chat")
	Links    []Link
	Details  map[string]string
}

// Link is a labelled URL.
type Link struct {
	Text string
	Href string
}

// Message is a notification for a room: a reply addressed to a channel,
// optionally in a thread.
type Message struct {
	Channel string
	Thread  string
	Reply   Reply
}

// Poster posts messages to rooms. Post returns the message's timestamp (its
// thread id) so that follow-ups go into its thread.
type Poster interface {
	Post(ctx context.Context, m Message) (ts string, err error)
}

// Clock is the time every part of opsbot reads and waits on: SystemClock
// in production, internal/clocktest's manual clock (or a test's own) in
// tests, so that no test sleeps.
type Clock interface {
	Now() time.Time
	// After sends the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real time.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sleep waits d on c, or until ctx ends (returning ctx.Err(), also when ctx
// had ended before).
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	select {
	case <-c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sentinel errors shared across packages, for errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid input")
)

// Error is a message meant for people, of one kind (ErrInvalid,
// ErrForbidden, ErrNotFound) for errors.Is. Its text is the message alone:
// no code has to strip a kind's name out of it.
type Error struct {
	Kind    error
	Message string
	err     error // the formatted error, for the causes it wraps
}

func (e *Error) Error() string   { return e.Message }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.err} }

// Invalidf is a message about input that cannot be used, saying what would
// work. Like fmt.Errorf, %w wraps a cause.
func Invalidf(format string, args ...any) error { return newError(ErrInvalid, format, args) }

// Forbiddenf is a refusal, saying who may or what is allowed.
func Forbiddenf(format string, args ...any) error { return newError(ErrForbidden, format, args) }

// NotFoundf says what was looked for and where to look.
func NotFoundf(format string, args ...any) error { return newError(ErrNotFound, format, args) }

func newError(kind error, format string, args []any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Message: err.Error(), err: err}
}

// ErrorText is what to show a person for err: the message of the
// outermost *Error in its chain, without the context callers wrapped
// around it, or err's text when there is none.
func ErrorText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Notice is something a scheduled job or a rule wants said, at a level; the
// scheduler picks the room for the level (audit → #tech-audits, warn and
// page → #tech-alerts) and pages for LevelPage.
type Notice struct {
	Level   Level
	Service string // for LevelPage: whose on-call; for inhibition
	Key     string // stable identity (a rule name), for dedup and threads
	Reply   Reply
}

// AuditEntry is one line of the append-only audit log: every command,
// allowed or refused.
type AuditEntry struct {
	Time      time.Time
	User      User
	Channel   string
	Transport string
	Text      string // what was typed
	Action    string // the parsed action, e.g. "ban 54.45.12.34/32 for 24h"
	Allowed   bool   // false: refused (role, channel, failed confirmation)
	Result    string // "ok", "refused: …", "error: …"
	Took      time.Duration
	Approval  string // "totp", "button by U123", "approved by U456", ""
}
