package main

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

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
		heap0, rss0 := memNow()
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
		heap1, rss1 := memNow()
		n := float64(len(sessions))
		b.ReportMetric((heap1-heap0)/n/1024, "heap+stack-KiB/session")
		b.ReportMetric((rss1-rss0)/n/1024, "rss-KiB/session")
		for _, s := range sessions {
			s.Close()
		}
	}
}

// memNow is the Go heap and stacks in use after a collection, and the
// resident set size, in bytes.
func memNow() (heap, rss float64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heap = float64(m.HeapInuse + m.StackInuse)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				rss = kb * 1024
			}
		}
	}
	return heap, rss
}
