package query

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// marker is an error with no text: Plan wraps one (%w) to classify an
// error without changing its message.
type marker string

func (marker) Error() string { return "" }

// Markers for errors where no other phrase is closer to what was meant: a
// suggestion would only mislead.
const (
	// errValue: the phrase is understood but a value in it is wrong (an
	// address over 255); the fix is that value, not another phrase.
	errValue marker = "bad value"
	// errChat: the phrase is a chat command, which ask does not run.
	errChat marker = "chat command"
)

// SuggestFor proposes the phrase text probably meant, given the error Plan
// (or Ask) returned for it, or "" when the error itself says the fix: a
// bad value in a phrase understood, a chat command asked outside the chat.
func (e *Engine) SuggestFor(text string, err error) string {
	if errors.Is(err, errValue) || errors.Is(err, errChat) {
		return ""
	}
	return e.Suggest(text)
}

// chatCommand is the error for a word the chat answers but the phrases
// don't (ban, sql …), or nil.
func (e *Engine) chatCommand(word string) error {
	if !slices.Contains(e.opts.Chat, word) {
		return nil
	}
	return errorf("%w`%s` is a chat command: use it in Slack or `opsbot chat`", errChat, word)
}

// prefixProblem says what is wrong with s as an IP address or CIDR range,
// e.g. "999 is over 255"; "" when netip gives no better reason.
func prefixProblem(s string) string {
	addr, bits, isRange := strings.Cut(s, "/")
	if why := addrProblem(addr); why != "" {
		return why
	}
	if !isRange {
		return ""
	}
	a, err := netip.ParseAddr(addr)
	n, nerr := strconv.Atoi(bits)
	switch {
	case err != nil:
		return ""
	case nerr != nil || n < 0:
		return fmt.Sprintf("/%s is not a prefix length", bits)
	case n > a.BitLen():
		return fmt.Sprintf("/%d is over %d, the longest %s prefix", n, a.BitLen(), map[bool]string{true: "IPv4", false: "IPv6"}[a.Is4()])
	}
	return ""
}

// addrProblem says what is wrong with a dotted IPv4 address; "" when s is
// valid or not dotted decimal (netip's reason then stands).
func addrProblem(s string) string {
	if _, err := netip.ParseAddr(s); err == nil || strings.Contains(s, ":") {
		return ""
	}
	fields := strings.Split(s, ".")
	for _, f := range fields {
		if f == "" || strings.Trim(f, "0123456789") != "" {
			return ""
		}
	}
	if len(fields) != 4 {
		return fmt.Sprintf("an IPv4 address has 4 numbers, it has %d", len(fields))
	}
	for _, f := range fields {
		if n, err := strconv.Atoi(f); err != nil || n > 255 {
			return f + " is over 255"
		}
		if len(f) > 1 && f[0] == '0' {
			return f + " has a leading zero"
		}
	}
	return ""
}

// because is " (why)", or "" without a reason.
func because(why string) string {
	if why == "" {
		return ""
	}
	return " (" + why + ")"
}
