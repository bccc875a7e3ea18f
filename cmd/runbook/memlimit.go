package main

import (
	"context"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Go's collector lets the heap grow to twice what is live, and counts the
// goroutine stacks in what is live: a run with 1,000 open sessions held
// about twice the memory it needed (226 MiB at 10,000 devices). A soft
// memory limit keeps it near the need at a little CPU (the collector runs
// more often near the limit). The limit follows the need: when a run needs
// more (many forks, large outputs), it moves up, so that the collector
// never runs back to back.
const (
	// memoryFloor is the limit while the run needs less: small runs never
	// reach it, so they pay nothing.
	memoryFloor = 125 << 20
	// memoryTier: up to this need the headroom is an eighth of it, above
	// it a quarter less memoryTier/8 (the two meet there).
	memoryTier = 256 << 20
)

// memoryLimitFor is the soft limit for a run whose memory after the last
// collection (live heap, stacks, the runtime's own) is need bytes.
//
// The collector's work per byte allocated grows as the headroom shrinks:
// an eighth of the need costs runbook about a tenth more CPU at 10,000
// devices × 1,000 forks, and halves its memory. A run that needs more
// than memoryTier is dominated by its outputs (large configurations on
// many forks); it gets a quarter, so that the collector's share of the
// CPU stays small.
func memoryLimitFor(need uint64) int64 {
	if need >= math.MaxInt64/2 {
		return math.MaxInt64
	}
	headroom := need / 8
	if need > memoryTier {
		headroom = need/4 - memoryTier/8
	}
	return int64(max(need+headroom, memoryFloor))
}

// memorySamples are what the process needed after the last collection.
var memorySamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/memory/classes/heap/stacks:bytes"},
	{Name: "/memory/classes/metadata/other:bytes"},
	{Name: "/memory/classes/metadata/mspan/inuse:bytes"},
	{Name: "/memory/classes/metadata/mcache/inuse:bytes"},
	{Name: "/memory/classes/os-stacks:bytes"},
	{Name: "/memory/classes/other:bytes"},
	{Name: "/memory/classes/profiling/buckets:bytes"},
}

// memoryNeed is the sum of memorySamples.
func memoryNeed() uint64 {
	s := make([]metrics.Sample, len(memorySamples))
	copy(s, memorySamples)
	metrics.Read(s)
	var need uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			need += v.Value.Uint64()
		}
	}
	return need
}

var governing struct {
	sync.Mutex
	on bool
}

// governMemory sets the soft memory limit and keeps it at
// memoryLimitFor(need) until ctx ends, then lifts it; unless the user
// tuned the collector (GOGC or GOMEMLIMIT set), or a run in this process
// already governs. It reports whether it started.
func governMemory(ctx context.Context, getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	governing.Lock()
	defer governing.Unlock()
	if governing.on {
		return false
	}
	governing.on = true
	limit := memoryLimitFor(memoryNeed())
	debug.SetMemoryLimit(limit)
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				governing.Lock()
				debug.SetMemoryLimit(math.MaxInt64)
				governing.on = false
				governing.Unlock()
				return
			case <-t.C:
			}
			if l := memoryLimitFor(memoryNeed()); l != limit {
				limit = l
				debug.SetMemoryLimit(l)
			}
		}
	}()
	return true
}
