package warehouse

import "strings"

// TypeKind groups ClickHouse types by the Go type their values decode to.
type TypeKind int

// Kinds of ClickHouse types.
const (
	KindString TypeKind = iota // String, FixedString, Enum, UUID, IPv4, IPv6 …
	KindInt                    // Int8 … Int256 → int64
	KindUint                   // UInt8 … UInt256 → uint64
	KindFloat                  // Float32, Float64, Decimal → float64
	KindBool                   // Bool → bool
	KindTime                   // Date, Date32, DateTime, DateTime64 → time.Time
)

// Kind says what Go type a value of ClickHouse type typ (without Nullable or
// LowCardinality) becomes in an opsbot.Result.
func Kind(typ string) TypeKind {
	switch {
	case strings.HasPrefix(typ, "UInt"):
		return KindUint
	case strings.HasPrefix(typ, "Int"):
		return KindInt
	case strings.HasPrefix(typ, "Float"), strings.HasPrefix(typ, "Decimal"):
		return KindFloat
	case typ == "Bool":
		return KindBool
	case strings.HasPrefix(typ, "Date"):
		return KindTime
	}
	return KindString
}
