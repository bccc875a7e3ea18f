package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryLimitFollowsTheNeed(t *testing.T) {
	for _, tc := range []struct {
		need uint64
		want int64
	}{
		{0, memoryFloor},
		{30 << 20, memoryFloor},
		{110 << 20, memoryFloor},        // 125 MiB is 111.1 × 9/8
		{120 << 20, 135 << 20},          // above: need × 9/8
		{256 << 20, 288 << 20},          // the tier: 9/8 = 5/4 - 32 MiB
		{800 << 20, 968 << 20},          // a run with large outputs: 5/4 - 32 MiB
		{math.MaxUint64, math.MaxInt64}, // no overflow
	} {
		if got := memoryLimitFor(tc.need); got != tc.want {
			t.Errorf("need %d MiB: limit %d MiB, want %d MiB", tc.need>>20, got>>20, tc.want>>20)
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
		if governMemory(context.Background(), func(k string) string { return env[k] }) {
			t.Errorf("governs with %v", env)
		}
		if currentLimit() != math.MaxInt64 {
			t.Fatalf("with %v the limit was set to %d", env, currentLimit())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	noEnv := func(string) string { return "" }
	if !governMemory(ctx, noEnv) {
		t.Fatal("does not govern without GOGC and GOMEMLIMIT")
	}
	if governMemory(ctx, noEnv) {
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

	cancel()
	waitLimit(t, "after the run", func(l int64) bool { return l == math.MaxInt64 })
	ctx2, cancel2 := context.WithCancel(context.Background())
	if !governMemory(ctx2, noEnv) {
		t.Error("a later run does not govern")
	}
	cancel2()
	waitLimit(t, "after the later run", func(l int64) bool { return l == math.MaxInt64 })
}
