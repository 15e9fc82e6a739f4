package query

import (
	"fmt"
	"strconv"
	"strings"
)

// SlowLadder is the fixed ladder of latency thresholds (seconds) whose
// counts the p_hour_slow rollup keeps per hour (sql/schema/022): rung i+1
// is SlowLadder[i], rung 0 is below the first.
var SlowLadder = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10}

// slowRungSQL is a request's rung, exactly as 022 groups p_hour_slow by it:
// ClickHouse uses the projection only for this very expression. The
// thresholds are Float32 like time_taken and the scan's min_seconds, so
// rung >= r selects the rows `time_taken >= SlowLadder[r-1]` selects.
// The rung is cast to UInt8 explicitly: with the bare multiIf, chDB 26.5
// rebuilding the projection for a lightweight DELETE on a merged part
// failed with "Bad cast from type DB::ColumnVector<short> to
// DB::ColumnVector<char8_t>", and every re-ingest of an object failed
// (ingest's TestReingestReplacesRowsNeverDoubles).
var slowRungSQL = func() string {
	var b strings.Builder
	b.WriteString("toUInt8(multiIf(")
	for i := len(SlowLadder) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "time_taken >= toFloat32(%s), %d, ", strconv.FormatFloat(SlowLadder[i], 'g', -1, 64), i+1)
	}
	b.WriteString("0))")
	return b.String()
}()

// SlowRung is the rung of seconds when the rollup can count "slow" for it:
// when seconds and a threshold of the ladder are the same Float32 (the
// scan compares time_taken with seconds as a Float32, so its answer is then
// the rollup's). ok is false otherwise: the scan answers.
func SlowRung(seconds float64) (rung int, ok bool) {
	for i, t := range SlowLadder {
		if float32(t) == float32(seconds) {
			return i + 1, true
		}
	}
	return 0, false
}

// slowRolledUp: the dimensions p_hour_slow holds with every value their
// top_by_*.sql filters on or shows (status, method, host, path).
func slowRolledUp(name string) bool { return topFacts[name].Rollup == "p_hour_path" }

func ladderText() string {
	s := make([]string, len(SlowLadder))
	for i, t := range SlowLadder {
		s[i] = fmt.Sprintf("%d: %gs", i+1, t)
	}
	return strings.Join(s, ", ")
}

// slowRollup is the rung a slow top reads from p_hour_slow (through
// top_slow_by_NAME.sql), or false when the scan answers: the threshold is
// not a rung, the dimension is not in the rollup, or an IP range filters
// (client_ip is not in the rollup: every row would be read anyway).
func slowRollup(what What, dim Dimension, f Filter) (int, bool) {
	if what.MinSeconds <= 0 || what.Bytes || !slowRolledUp(dim.Name) || f.Prefix.IsValid() {
		return 0, false
	}
	return SlowRung(what.MinSeconds)
}

// slowExplain says where a slow top's whole hours come from, for explain.
func slowExplain(pl *Plan) string {
	if pl.Kind != "top" || pl.What.MinSeconds <= 0 {
		return ""
	}
	if strings.HasPrefix(pl.Query, "top_slow_by_") {
		return fmt.Sprintf("\nThe window's whole hours come from the hourly slow-request rollup p_hour_slow (sql/schema/022): "+
			"query.slow_seconds (%gs) is rung %s of its ladder (%s).", pl.What.MinSeconds, pl.Params["rung"], ladderText())
	}
	why := fmt.Sprintf("query.slow_seconds (%gs) is not a rung of its ladder (%s)", pl.What.MinSeconds, ladderText())
	if _, ok := SlowRung(pl.What.MinSeconds); ok {
		why = "it lacks what this phrase filters on or groups by"
	}
	return "\nEvery row of the window is read (time_taken): the hourly slow-request rollup p_hour_slow (sql/schema/022) " +
		"cannot answer, " + why + "."
}
