package main

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// BenchmarkIdleSessionMemory opens a session to every device of a lab
// fleet served by a child process and reports what one open, idle session
// costs runbook: Go heap and stacks in use, and resident memory, per
// session (RUNBOOK_BENCH_DEVICES, default 200).
//
//	go test ./cmd/runbook -run '^$' -bench IdleSessionMemory -benchtime 1x
func BenchmarkIdleSessionMemory(b *testing.B) {
	devices := 200
	if v := os.Getenv("RUNBOOK_BENCH_DEVICES"); v != "" {
		devices, _ = strconv.Atoi(v)
	}
	inv, _ := startLabProcess(b, devices, 0)
	pb, diags := hcl.Load([]string{inv})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	hosts := pb.Inventory.Hosts
	if len(hosts) != devices {
		b.Fatalf("%d hosts, want %d", len(hosts), devices)
	}
	open := engine.DriverOpener(nil)
	for range b.N {
		heap0, stack0, rss0 := memNow()
		var sessions []engine.Session
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		for _, h := range hosts {
			s, err := open(ctx, h, nil)
			if err != nil {
				cancel()
				b.Fatalf("%s: %v", h.Name, err)
			}
			sessions = append(sessions, s)
		}
		cancel()
		heap1, stack1, rss1 := memNow()
		n := float64(len(sessions))
		b.ReportMetric((stack1-stack0)/n/1024, "stack-KiB/session")
		b.ReportMetric((heap1-heap0)/n/1024, "heap+stack-KiB/session")
		b.ReportMetric((rss1-rss0)/n/1024, "rss-KiB/session")
		for _, s := range sessions {
			s.Close()
		}
	}
}

// memNow is the Go heap and stacks in use after a collection, the stacks
// alone, and the resident set size, in bytes.
func memNow() (heap, stack, rss float64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heap, stack = float64(m.HeapInuse+m.StackInuse), float64(m.StackInuse)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				rss = kb * 1024
			}
		}
	}
	return heap, stack, rss
}

// BenchmarkFleetMemory runs playbooks/ntp.hcl on a lab fleet served by a
// child process (RUNBOOK_BENCH_DEVICES, default 3000; RUNBOOK_BENCH_FORKS,
// default 1000; 100 ms per command) and samples runbook's Go heap and
// stacks every 50 ms: the peak, the goroutines per running session, and
// what the finished run still holds (the report). With
// RUNBOOK_BENCH_HEAPPROFILE=FILE it writes a heap profile at the peak (and
// the goroutines then, to FILE.goroutines), with
// RUNBOOK_BENCH_HELDPROFILE=FILE one of what the finished run holds (and
// samples every 4 KiB allocated, for both profiles).
//
//	go test ./cmd/runbook -run '^$' -bench FleetMemory -benchtime 1x
func BenchmarkFleetMemory(b *testing.B) {
	devices, forks := 3000, 1000
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_DEVICES")); err == nil && v > 0 {
		devices = v
	}
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_FORKS")); err == nil && v > 0 {
		forks = v
	}
	if os.Getenv("RUNBOOK_BENCH_HELDPROFILE") != "" {
		runtime.MemProfileRate = 4096
	}
	inv, _ := startLabProcess(b, devices, 100*time.Millisecond)
	plan := ntpPlanFor(b, inv, io.Discard)
	hosts := plan.Playbook.Inventory.Hosts
	for range b.N {
		var peak, peakStack, peakLive uint64
		maxG := 0
		done, sampled := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
				}
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				maxG = max(maxG, runtime.NumGoroutine())
				if m.HeapInuse+m.StackInuse > peak {
					peak = m.HeapInuse + m.StackInuse
					peakStack, peakLive = m.StackInuse, m.HeapAlloc
					if p := os.Getenv("RUNBOOK_BENCH_HEAPPROFILE"); p != "" {
						if f, err := os.Create(p); err == nil {
							_ = pprof.WriteHeapProfile(f)
							f.Close()
						}
						if f, err := os.Create(p + ".goroutines"); err == nil {
							_ = pprof.Lookup("goroutine").WriteTo(f, 1)
							f.Close()
						}
					}
				}
			}
		}()
		stopGoverning, _ := governMemory(os.Getenv)
		maxLimit := highestMemoryLimit()
		rep := plan.Run(context.Background(), hosts, engine.Options{Forks: forks})
		peakLimit := maxLimit()
		stopGoverning()
		close(done)
		<-sampled
		if !allPassed(rep) {
			b.Fatalf("not every device passed")
		}
		_ = driver.WaitClosed(context.Background())
		held, _, _ := memNow()
		var hm runtime.MemStats
		runtime.ReadMemStats(&hm)
		b.ReportMetric(float64(hm.HeapAlloc)/(1<<20), "held-alloc-MiB")
		b.ReportMetric(float64(hm.StackInuse)/(1<<20), "held-stack-MiB")
		if p := os.Getenv("RUNBOOK_BENCH_HELDPROFILE"); p != "" {
			f, _ := os.Create(p)
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap+stack-MiB")
		b.ReportMetric(float64(peakStack)/(1<<20), "stack-at-peak-MiB")
		b.ReportMetric(float64(peakLive)/(1<<20), "heap-alloc-at-peak-MiB")
		b.ReportMetric(float64(maxG)/float64(min(forks, devices)), "goroutines/session")
		b.ReportMetric(held/(1<<20), "held-after-run-MiB")
		b.ReportMetric(maxRSSMiB(), "peak-rss-MiB")
		b.ReportMetric(float64(peakLimit)/(1<<20), "soft-limit-max-MiB")
		runtime.KeepAlive(rep)
	}
}
