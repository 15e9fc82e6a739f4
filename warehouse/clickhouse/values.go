package clickhouse

import (
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/opsbot/opsbot"
)

// scanner holds one row's scan destinations and turns them into the value
// types opsbot.Result documents, the same the embedded engine returns.
type scanner struct {
	cols []opsbot.Column
	dest []any
	ipv6 []bool
}

func newScanner(cts []driver.ColumnType) *scanner {
	s := &scanner{}
	for _, ct := range cts {
		typ := ct.DatabaseTypeName()
		s.cols = append(s.cols, opsbot.Column{Name: ct.Name(), Type: typ})
		s.dest = append(s.dest, reflect.New(ct.ScanType()).Interface())
		s.ipv6 = append(s.ipv6, strings.Contains(typ, "IPv6"))
	}
	return s
}

func (s *scanner) row() []any {
	row := make([]any, len(s.dest))
	for i, d := range s.dest {
		row[i] = normalize(reflect.ValueOf(d).Elem().Interface(), s.ipv6[i])
	}
	return row
}

// normalize maps clickhouse-go's Go values onto opsbot.Result's: nil,
// bool, int64, uint64, float64, string, time.Time (UTC), []any. IPv6
// values print as ClickHouse does (::ffff:1.2.3.4 for mapped IPv4).
func normalize(v any, ipv6 bool) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, string, int64, uint64, float64:
		return x
	case int8, int16, int32, int:
		return reflect.ValueOf(x).Int()
	case uint8, uint16, uint32, uint:
		return reflect.ValueOf(x).Uint()
	case float32:
		return float64(x)
	case time.Time:
		return x.UTC()
	case net.IP:
		return ipString(x, ipv6)
	case netip.Addr:
		return ipString(net.IP(x.AsSlice()), ipv6)
	case decimal.Decimal:
		f, _ := x.Float64()
		return f
	case big.Int:
		f, _ := new(big.Float).SetInt(&x).Float64()
		return f
	case *big.Int:
		if x == nil {
			return nil
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case fmt.Stringer:
		return x.String()
	}
	return reflected(reflect.ValueOf(v), ipv6)
}

// reflected handles pointers (Nullable) and slices (Array).
func reflected(rv reflect.Value, ipv6 bool) any {
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface(), ipv6)
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface(), ipv6)
		}
		return out
	}
	return fmt.Sprint(rv.Interface())
}

func ipString(ip net.IP, ipv6 bool) string {
	if ipv6 {
		if a, ok := netip.AddrFromSlice(ip.To16()); ok {
			return a.String()
		}
	}
	return ip.String()
}
