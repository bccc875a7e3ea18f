package parse

import (
	"testing"
	"time"
)

// FuzzTemplate: any template text and any output either compile and
// parse or fail with an error; nothing panics or hangs.
func FuzzTemplate(f *testing.F) {
	f.Add("Value A (\\S+)\n\nStart\n  ^a ${A} -> Record\n", "a 1\na 2\n")
	f.Add("Value List L ((?P<n>\\w+)-(?P<m>\\d+)?)\nValue Filldown F (f)\n\nStart\n  ^${F}\n  ^(?=x)${L} -> Continue\n  ^x -> Record\n  ^err -> Error \"bad\"\n\nEOF\n", "f\nxa-1\nxb-\nerr\n")
	f.Add("Value Required,Fillup U (\\d{,3})\n\nStart\n  ^u\\s+${U}$$ -> Record End\n", "u 12\u00a0\nu 3\n")
	// A pathological pattern gives up after 20ms here instead of 2s: a
	// fuzz worker busy past the end of -fuzztime fails the run.
	backtrackTimeout = 20 * time.Millisecond
	f.Fuzz(func(t *testing.T, src, text string) {
		if len(src) > 4096 || len(text) > 16384 {
			return
		}
		tm, err := Compile("fuzz", src)
		if err != nil {
			return
		}
		rows, err := tm.ParseText(text)
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r) != len(tm.Header()) {
				t.Fatalf("row of %d cells for %d values", len(r), len(tm.Header()))
			}
		}
		_, _, _ = ParseCmd([]*Template{tm, tm}, text)
	})
}
