package edgelog

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestFastDecimal: the fast path agrees with strconv.ParseFloat bit for bit.
func TestFastDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := []string{"0", "0.000", "0.001", "1.5", "123456789012345", ".5", "5.", "0.1", "0.3", "9.999"}
	for i := 0; i < 20000; i++ {
		s := strconv.FormatUint(rng.Uint64N(1e9), 10)
		if k := rng.IntN(len(s) + 1); k < len(s) {
			s = s[:k] + "." + s[k:]
		}
		inputs = append(inputs, s)
	}
	for _, s := range inputs {
		got, ok := fastDecimal([]byte(s))
		want, err := strconv.ParseFloat(s, 64)
		if !ok || err != nil || got != want {
			t.Fatalf("%q: fast %v (%v), strconv %v (%v)", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"", ".", "1.2.3", "-1", "1e3", "NaN", "1234567890123456"} {
		if _, ok := fastDecimal([]byte(s)); ok {
			t.Errorf("%q: fast path accepted it", s)
		}
	}
}

// TestUnescapeInPlace: decoding into the input itself gives the same bytes
// as decoding into fresh memory.
func TestUnescapeInPlace(t *testing.T) {
	for _, s := range []string{"", "a%20b", "%2520%25", "%zz%4", "100%25", "%41%42%43"} {
		want := string(unescape(nil, []byte(s)))
		b := []byte(s)
		if got := string(unescapePct2(b[:0], b)); got != want {
			t.Errorf("%q: in place %q, want %q", s, got, want)
		}
	}
}
