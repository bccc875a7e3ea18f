package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryLimitFollowsTheNeed(t *testing.T) {
	for _, tc := range []struct {
		need     uint64
		headroom float64
		want     int64
	}{
		{0, minHeadroom, memoryFloor},
		{30 << 20, minHeadroom, memoryFloor},
		{110 << 20, minHeadroom, memoryFloor}, // 125 MiB is 111.1 × 9/8
		{120 << 20, minHeadroom, 135 << 20},   // above: need × 9/8
		{120 << 20, 1, 240 << 20},             // Go's default headroom
		{math.MaxUint64, minHeadroom, math.MaxInt64},
	} {
		if got := memoryLimitFor(tc.need, tc.headroom); got != tc.want {
			t.Errorf("need %d MiB, headroom %.3f: limit %d MiB, want %d MiB", tc.need>>20, tc.headroom, got>>20, tc.want>>20)
		}
	}
}

// The headroom doubles while the collector takes more than its share of
// the CPU, up to Go's default, and halves back while it takes little; a
// window shorter than gcWindow changes nothing.
func TestMemoryHeadroomFollowsTheCollectorsCPU(t *testing.T) {
	g := newMemoryGovernor(0, 0)
	const need = 200 << 20
	var gc, avail float64
	step := func(window, share float64) int64 {
		gc += window * share
		avail += window
		return g.limit(need, gc, avail)
	}
	if l := g.limit(need, 0, 0); l != 225<<20 {
		t.Fatalf("first limit %d MiB, want 225 (need × 9/8)", l>>20)
	}
	busy, within, quiet := gcBudgetHigh*2, (gcBudgetHigh+gcBudgetLow)/2, gcBudgetLow/2
	for i, want := range []int64{250, 300, 400, 400} { // 1/4, 1/2, 1, and no further
		if l := step(gcWindow, busy); l != want<<20 {
			t.Errorf("busy window %d: limit %d MiB, want %d", i+1, l>>20, want)
		}
	}
	if l := step(gcWindow/4, quiet); l != 400<<20 {
		t.Errorf("a short window changed the limit to %d MiB", l>>20)
	}
	if l := step(gcWindow, within); l != 400<<20 { // within the budget: as it was
		t.Errorf("a window within the budget changed the limit to %d MiB", l>>20)
	}
	for i, want := range []int64{300, 250, 225, 225} { // idle: back to an eighth, and no lower
		if l := step(gcWindow, quiet); l != want<<20 {
			t.Errorf("quiet window %d: limit %d MiB, want %d", i+1, l>>20, want)
		}
	}
}

// currentLimit reads the soft memory limit without changing it.
func currentLimit() int64 { return debug.SetMemoryLimit(-1) }

func waitLimit(t *testing.T, what string, ok func(int64) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(currentLimit()) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the limit is %d MiB", what, currentLimit()>>20)
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
}

// A run sets the soft limit, raises it when the live heap grows past what
// the floor allows, and lifts it when it ends; with GOGC or GOMEMLIMIT set,
// it leaves the collector alone.
func TestGovernMemory(t *testing.T) {
	if currentLimit() != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set for the tests")
	}
	for _, env := range []map[string]string{{"GOGC": "200"}, {"GOMEMLIMIT": "1GiB"}} {
		stop, governs := governMemory(func(k string) string { return env[k] })
		stop()
		if governs {
			t.Errorf("governs with %v", env)
		}
		if currentLimit() != math.MaxInt64 {
			t.Fatalf("with %v the limit was set to %d", env, currentLimit())
		}
	}

	noEnv := func(string) string { return "" }
	stop, governs := governMemory(noEnv)
	defer stop()
	if !governs {
		t.Fatal("does not govern without GOGC and GOMEMLIMIT")
	}
	stop2, governs2 := governMemory(noEnv)
	stop2() // a no-op: it must leave the first run's limit alone
	if governs2 {
		t.Error("a second run in the process governs too")
	}
	if got := currentLimit(); got != memoryFloor {
		t.Errorf("limit %d MiB, want the floor, %d MiB", got>>20, memoryFloor>>20)
	}

	// 200 MiB held: the limit must move above 225 MiB, or the collector
	// would run back to back.
	held := make([][]byte, 200)
	for i := range held {
		held[i] = make([]byte, 1<<20)
		held[i][0] = 1
	}
	waitLimit(t, "with 200 MiB live", func(l int64) bool { return l >= 225<<20 })
	runtime.KeepAlive(held)
	held = nil
	waitLimit(t, "once it is freed", func(l int64) bool { return l == memoryFloor })

	stop()
	if l := currentLimit(); l != math.MaxInt64 {
		t.Fatalf("after the run the limit is %d MiB", l>>20)
	}
	stop3, governs3 := governMemory(noEnv)
	if !governs3 {
		t.Error("a later run does not govern")
	}
	stop3()
	if l := currentLimit(); l != math.MaxInt64 {
		t.Fatalf("after the later run the limit is %d MiB", l>>20)
	}
}
