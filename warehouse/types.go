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

// Kind says what Go type a value of ClickHouse type typ becomes in an
// opsbot.Result (Nullable and LowCardinality wrappers aside).
func Kind(typ string) TypeKind {
	typ = BaseType(typ)
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

// BaseType strips Nullable(…) and LowCardinality(…) from a type name.
func BaseType(typ string) string {
	for {
		switch {
		case strings.HasPrefix(typ, "Nullable("):
			typ = typ[len("Nullable(") : len(typ)-1]
		case strings.HasPrefix(typ, "LowCardinality("):
			typ = typ[len("LowCardinality(") : len(typ)-1]
		default:
			return typ
		}
	}
}
