package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkShardedApply runs playbooks/ntp.hcl on a lab fleet (a process
// of its own) of RUNBOOK_BENCH_DEVICES devices (default 300) with
// RUNBOOK_BENCH_LATENCY per command (default 50ms), as N runbook
// processes at once, each `apply --shard auto/N --forks F`, for each N of
// RUNBOOK_BENCH_SHARDS (default "1,3") and F = RUNBOOK_BENCH_FORKS
// (default 10); then merges their reports. Each N gets a fresh fleet, so
// every run makes the change. It reports the wall time until the last
// shard ends, the merge's, the CPU of all shards together and the largest
// shard's peak memory.
func BenchmarkShardedApply(b *testing.B) {
	devices, forks := 300, 10
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_DEVICES")); err == nil && v > 0 {
		devices = v
	}
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_FORKS")); err == nil && v > 0 {
		forks = v
	}
	latency := 50 * time.Millisecond
	if v, err := time.ParseDuration(os.Getenv("RUNBOOK_BENCH_LATENCY")); err == nil {
		latency = v
	}
	counts := []int{1, 3}
	if v := os.Getenv("RUNBOOK_BENCH_SHARDS"); v != "" {
		counts = nil
		for f := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("RUNBOOK_BENCH_SHARDS=%q: want counts like 1,3", v)
			}
			counts = append(counts, n)
		}
	}
	src, err := os.ReadFile("../../playbooks/ntp.hcl")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range counts {
		b.Run(fmt.Sprintf("devices=%d/shards=%d/forks=%d", devices, n, forks), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				inv, _ := startLabProcess(b, devices, latency)
				play := filepath.Join(b.TempDir(), "ntp.hcl")
				if err := os.WriteFile(play, src, 0o644); err != nil {
					b.Fatal(err)
				}
				reports := b.TempDir()
				cmds := make([]*exec.Cmd, n)
				for i := range n {
					args, _ := json.Marshal([]string{"apply", "--quiet", "--forks", strconv.Itoa(forks), "--shard", fmt.Sprintf("auto/%d", n),
						"--json", filepath.Join(reports, fmt.Sprintf("index-%d.json", i)), "-i", inv, play})
					cmds[i] = exec.Command(os.Args[0])
					cmds[i].Env = append(os.Environ(), shardChildEnv+"="+string(args), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				outs := make([][]byte, n)
				errs := make([]error, n)
				for i, c := range cmds {
					wg.Go(func() { outs[i], errs[i] = c.CombinedOutput() })
				}
				wg.Wait()
				wall := time.Since(start)
				mergeStart := time.Now()
				var outb, errb bytes.Buffer
				code := run(context.Background(), []string{"report", "merge", reports}, &outb, &errb)
				out, errOut := outb.String(), errb.String()
				mergeWall := time.Since(mergeStart)
				b.StopTimer()
				var cpu time.Duration
				var rss int64
				for i, c := range cmds {
					if errs[i] != nil {
						b.Fatalf("shard %d/%d: %v\n%s", i+1, n, errs[i], outs[i])
					}
					cpu += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
					if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
						rss = max(rss, ru.Maxrss)
					}
				}
				if code != exitOK || !strings.Contains(out, fmt.Sprintf("%d devices: %d passed", devices, devices)) {
					b.Fatalf("merge: exit %d\n%s%s", code, out, errOut)
				}
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(mergeWall.Seconds(), "merge-s")
				b.ReportMetric(cpu.Seconds(), "shards-cpu-s")
				b.ReportMetric(float64(rss)/1024, "shard-peak-rss-MiB")
				b.StartTimer()
			}
		})
	}
}
