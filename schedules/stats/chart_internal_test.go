package stats

import (
	"reflect"
	"testing"
)

// TestRoundTicks: ticks are round steps labelled exactly (0.25, not 0.2),
// with the same decimals along an axis; axis tops are round.
func TestRoundTicks(t *testing.T) {
	for _, c := range []struct {
		hi   float64
		want []string
	}{
		{0.5, []string{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5"}},
		{2.5, []string{"0.0", "0.5", "1.0", "1.5", "2.0", "2.5"}},
		{500, []string{"0", "100", "200", "300", "400", "500"}},
		{2, []string{"0.00", "0.25", "0.50", "0.75", "1.00", "1.25", "1.50", "1.75", "2.00"}},
		{0.3, []string{"0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"}},
		{1.5, []string{"0.00", "0.25", "0.50", "0.75", "1.00", "1.25", "1.50"}},
		{400, []string{"0", "50", "100", "150", "200", "250", "300", "350", "400"}},
	} {
		var got []string
		for _, tk := range (roundTicks{}).Ticks(0, c.hi) {
			got = append(got, tk.Label)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ticks up to %v: %v, want %v", c.hi, got, c.want)
		}
	}
	for v, want := range map[float64]float64{0.44: 0.5, 290: 400, 1.9: 2.5, 9: 10, 0.93: 1.5} {
		if got := niceMax(v); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", v, got, want)
		}
	}
}
