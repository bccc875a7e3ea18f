package engine

import (
	"testing"
	"time"

	"github.com/runbook-dev/runbook/hcl"
)

// A login's random wait is bounded by ConnectJitter (default 25ms) times
// the share of connection slots taken: nothing for a lone login, the whole
// jitter when every slot is busy. A negative ConnectJitter disables it.
func TestJitterFollowsTheLoginsInFlight(t *testing.T) {
	p := &Plan{Playbook: &hcl.Playbook{}}
	for _, tc := range []struct {
		jitter       time.Duration
		limit, taken int
		want         time.Duration
	}{
		{0, 20, 0, 0},
		{0, 20, 20, 25 * time.Millisecond},
		{0, 20, 5, 25 * time.Millisecond / 4},
		{40 * time.Millisecond, 4, 1, 10 * time.Millisecond},
		{40 * time.Millisecond, 4, 3, 30 * time.Millisecond},
		{-1, 4, 4, 0},
		{-time.Second, 4, 4, -time.Second},
	} {
		r := newRunner(p, nil, Options{ConnectJitter: tc.jitter, ConnectLimit: tc.limit})
		for range tc.taken {
			r.connSem <- struct{}{}
		}
		got := r.jitterBound()
		if tc.want <= 0 {
			if got > 0 {
				t.Errorf("jitter %v, %d of %d slots taken: bound %v; want no wait", tc.jitter, tc.taken, tc.limit, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("jitter %v, %d of %d slots taken: bound %v; want %v", tc.jitter, tc.taken, tc.limit, got, tc.want)
		}
	}
}
