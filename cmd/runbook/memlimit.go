package main

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Go's collector lets the heap grow to twice what is live, and counts the
// goroutine stacks in what is live: a run with 1,000 open sessions held
// about twice the memory it needed (226 MiB at 10,000 devices). A soft
// memory limit keeps it near the need, at the price of collecting more
// often. The limit follows the need, and the headroom above the need
// follows what collecting costs: while the collector takes a modest share
// of the CPU the headroom is an eighth of the need; when it takes more (a
// thousand logins at once, large outputs), the headroom grows, up to Go's
// own default, so that the limit cannot make a run CPU-bound.
const (
	// memoryFloor is the limit while the run needs less: small runs never
	// reach it, so they pay nothing.
	memoryFloor = 125 << 20
	// The headroom, as a fraction of the need, stays between these.
	minHeadroom, maxHeadroom = 1.0 / 8, 1.0
	// gcBudgetHigh and gcBudgetLow: above the first share of the CPU the
	// process may use (GOMAXPROCS × wall time), the headroom doubles;
	// below the second, it halves. A fleet run of 1,000 forks at an eighth
	// averages a fifth, with windows of a third (at 0.30 those doubled the
	// headroom for no CPU saved, and the peak went from 138 to 145–162
	// MiB); with --connect-limit 1000 an eighth took half the CPU.
	gcBudgetHigh, gcBudgetLow = 0.45, 0.05
	// gcWindow is the least CPU time (of the same kind) a share is
	// measured over.
	gcWindow = 4.0 // seconds: 2 s of wall time on two cores
)

// memoryLimitFor is the soft limit for a run whose memory after the last
// collection (live heap, stacks, the runtime's own) is need bytes, with
// headroom as a fraction of the need.
func memoryLimitFor(need uint64, headroom float64) int64 {
	if need >= math.MaxInt64/4 {
		return math.MaxInt64
	}
	return int64(max(need+uint64(float64(need)*headroom), memoryFloor))
}

// memoryGovernor adjusts the headroom to the collector's share of the CPU.
type memoryGovernor struct {
	headroom    float64
	gc0, avail0 float64 // CPU seconds when the current window began
}

// newMemoryGovernor starts the first window at the CPU seconds the
// collector has used and the process could have used so far.
func newMemoryGovernor(gcCPU, availCPU float64) *memoryGovernor {
	return &memoryGovernor{headroom: minHeadroom, gc0: gcCPU, avail0: availCPU}
}

// limit takes the need and the CPU seconds the collector has used and the
// process could have used so far, and returns the limit to set.
func (g *memoryGovernor) limit(need uint64, gcCPU, availCPU float64) int64 {
	if window := availCPU - g.avail0; window >= gcWindow {
		switch share := (gcCPU - g.gc0) / window; {
		case share > gcBudgetHigh:
			g.headroom = min(g.headroom*2, maxHeadroom)
		case share < gcBudgetLow:
			g.headroom = max(g.headroom/2, minHeadroom)
		}
		g.gc0, g.avail0 = gcCPU, availCPU
	}
	return memoryLimitFor(need, g.headroom)
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

// memoryReadings are the need (the sum of memorySamples), the CPU seconds
// the collector has used, and those the process could have used.
func memoryReadings() (need uint64, gcCPU, availCPU float64) {
	s := make([]metrics.Sample, len(memorySamples), len(memorySamples)+2)
	copy(s, memorySamples)
	s = append(s, metrics.Sample{Name: "/cpu/classes/gc/total:cpu-seconds"}, metrics.Sample{Name: "/cpu/classes/total:cpu-seconds"})
	metrics.Read(s)
	for _, v := range s[:len(memorySamples)] {
		if v.Value.Kind() == metrics.KindUint64 {
			need += v.Value.Uint64()
		}
	}
	if v := s[len(s)-2].Value; v.Kind() == metrics.KindFloat64 {
		gcCPU = v.Float64()
	}
	if v := s[len(s)-1].Value; v.Kind() == metrics.KindFloat64 {
		availCPU = v.Float64()
	}
	return need, gcCPU, availCPU
}

var governing struct {
	sync.Mutex
	on bool
}

// governMemory sets the soft memory limit and keeps it where a
// memoryGovernor says until stop is called, which lifts it; unless the
// user tuned the collector (GOGC or GOMEMLIMIT set), or a run in this
// process already governs: then stop does nothing and governs is false.
func governMemory(getenv func(string) string) (stop func(), governs bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}, false
	}
	governing.Lock()
	defer governing.Unlock()
	if governing.on {
		return func() {}, false
	}
	governing.on = true
	need, gcCPU, availCPU := memoryReadings()
	g := newMemoryGovernor(gcCPU, availCPU)
	limit := memoryLimitFor(need, g.headroom)
	debug.SetMemoryLimit(limit)
	quit, lifted := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(lifted)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				governing.Lock()
				debug.SetMemoryLimit(math.MaxInt64)
				governing.on = false
				governing.Unlock()
				return
			case <-t.C:
			}
			if l := g.limit(memoryReadings()); l != limit {
				limit = l
				debug.SetMemoryLimit(l)
			}
		}
	}()
	return sync.OnceFunc(func() { close(quit); <-lifted }), true
}
