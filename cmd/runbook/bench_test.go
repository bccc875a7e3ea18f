package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// startLabProcess runs `runbook lab serve` in a child process and returns
// the inventory file it wrote.
func startLabProcess(b *testing.B, devices int, latency time.Duration) (string, int) {
	b.Helper()
	// The inventory lab serve writes reads the password and enable secret
	// from the environment (no literal defaults for secrets).
	b.Setenv("RUNBOOK_PASSWORD", "admin")
	b.Setenv("RUNBOOK_SECRET", "admin")
	dir := b.TempDir()
	inv := filepath.Join(dir, "inventory.hcl")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("RUNBOOK_TEST_LAB_ARGS=--devices %d --latency %s --inventory-out %s --quiet", devices, latency, inv))
	// GOGC and GOMEMLIMIT set for a run tune runbook, not the simulator.
	cmd.Env = append(cmd.Env, "GOGC=100", "GOMEMLIMIT=off")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if st, err := os.Stat(inv); err == nil && st.Size() > 0 {
			return inv, cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			b.Fatal("lab process wrote no inventory within 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU reads another process's user+system CPU time from /proc.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// highestMemoryLimit samples the soft memory limit every 100 ms until the
// returned function is called, which returns the highest seen (0: none
// was set). The limit moves with the governor's headroom, which is what
// a peak RSS above the usual is then explained by.
func highestMemoryLimit() func() int64 {
	var highest int64
	done, stopped := make(chan struct{}), make(chan struct{})
	sample := func() {
		if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
			highest = max(highest, l)
		}
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		sample()
		return highest
	}
}

// settleTimeWait waits, up to 65 s, until the TCP sockets in TIME_WAIT
// that earlier runs or tests left (each stays 60 s) are down to a few
// hundred. Thousands of them slow every connect and accept on the kernel,
// so a run started right after another measures a slower machine
// (docs/performance.md, "TIME_WAIT between runs"). RUNBOOK_BENCH_SETTLE=0
// measures without waiting.
func settleTimeWait(b *testing.B) {
	if os.Getenv("RUNBOOK_BENCH_SETTLE") == "0" {
		return
	}
	b.StopTimer()
	defer b.StartTimer()
	deadline := time.Now().Add(65 * time.Second)
	for n := timeWaitSockets(); n > 200 && time.Now().Before(deadline); n = timeWaitSockets() {
		fmt.Fprintf(os.Stderr, "waiting for %d sockets in TIME_WAIT to expire (RUNBOOK_BENCH_SETTLE=0 does not wait)\n", n)
		time.Sleep(5 * time.Second)
	}
}

// timeWaitSockets is the kernel's count of TCP sockets in TIME_WAIT
// (/proc/net/sockstat), or -1 where it cannot be read.
func timeWaitSockets() int {
	b, err := os.ReadFile("/proc/net/sockstat")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "TCP:" {
			continue
		}
		for i := 1; i+1 < len(f); i++ {
			if f[i] == "tw" {
				n, err := strconv.Atoi(f[i+1])
				if err != nil {
					return -1
				}
				return n
			}
		}
	}
	return -1
}

func maxRSSMiB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

// ntpPlanFor loads the README's playbook with the lab's inventory (-i),
// from a copy so that its backups land in a temp dir.
func ntpPlanFor(b *testing.B, inv string, diags io.Writer) *engine.Plan {
	b.Helper()
	src, err := os.ReadFile("../../playbooks/ntp.hcl")
	if err != nil {
		b.Fatal(err)
	}
	play := filepath.Join(b.TempDir(), "ntp.hcl")
	if err := os.WriteFile(play, src, 0o644); err != nil {
		b.Fatal(err)
	}
	lf := loadFlags{inventory: []string{inv}, diagFormat: "plain"}
	plan, err := lf.load(diags, []string{play})
	if err != nil {
		b.Fatal(err)
	}
	return plan
}

// BenchmarkApplyFleet runs playbooks/ntp.hcl on a lab fleet (in another
// process) of RUNBOOK_BENCH_DEVICES devices (default 1000) with
// RUNBOOK_BENCH_LATENCY per command (default 20ms), with each number of
// forks in RUNBOOK_BENCH_FORKS (default "100,500"), and compares the wall
// time with the ideal: one device's critical path × ceil(devices / forks).
// Logins are capped as the CLI caps them (20 at once) unless
// RUNBOOK_BENCH_CONNECT_LIMIT says otherwise. Each row starts once the
// sockets earlier runs left in TIME_WAIT have expired (settleTimeWait).
func BenchmarkApplyFleet(b *testing.B) {
	devices := 1000
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_DEVICES")); err == nil && v > 0 {
		devices = v
	}
	latency := 20 * time.Millisecond
	if v, err := time.ParseDuration(os.Getenv("RUNBOOK_BENCH_LATENCY")); err == nil {
		latency = v
	}
	settleTimeWait(b)
	inv, labPID := startLabProcess(b, devices, latency)
	plan := ntpPlanFor(b, inv, os.Stderr)
	hosts := plan.Playbook.Inventory.Hosts
	// The critical path: one device alone, median of five devices.
	var single []time.Duration
	for i := range 5 {
		start := time.Now()
		rep := plan.Run(context.Background(), hosts[i:i+1], engine.Options{Forks: 1, ConnectJitter: -1})
		single = append(single, time.Since(start))
		if !allPassed(rep) {
			b.Fatalf("single device run failed: %+v", rep.Devices[0])
		}
	}
	sort.Slice(single, func(i, j int) bool { return single[i] < single[j] })
	critical := single[len(single)/2]

	// The CLI's default connect limit unless RUNBOOK_BENCH_CONNECT_LIMIT
	// sets one: the fleet runs as a user would run it.
	connectLimit, _ := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_CONNECT_LIMIT"))
	forksList := []int{100, 500}
	if v := os.Getenv("RUNBOOK_BENCH_FORKS"); v != "" {
		forksList = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("RUNBOOK_BENCH_FORKS=%q: want a comma-separated list of positive numbers", v)
			}
			forksList = append(forksList, n)
		}
	}
	for _, forks := range forksList {
		b.Run(fmt.Sprintf("devices=%d/forks=%d", devices, forks), func(b *testing.B) {
			for b.Loop() {
				settleTimeWait(b)
				b.ReportMetric(float64(timeWaitSockets()), "timewait-at-start")
				cpu0, lab0 := cpuTime(), processCPU(labPID)
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				start := time.Now()
				var commands atomic.Int64
				// Memory is governed as runbook apply governs it.
				stopGoverning, _ := governMemory(os.Getenv)
				maxLimit := highestMemoryLimit()
				rep := plan.Run(context.Background(), hosts, engine.Options{Forks: forks, ConnectLimit: connectLimit, Open: countingOpener(&commands)})
				wall := time.Since(start)
				b.ReportMetric(float64(maxLimit())/(1<<20), "soft-limit-max-MiB")
				stopGoverning()
				cpu, labCPU := cpuTime()-cpu0, processCPU(labPID)-lab0
				runtime.ReadMemStats(&m1)
				if !allPassed(rep) {
					for _, d := range rep.Devices {
						if d.Status != engine.DevicePassed {
							b.Fatalf("%s: %s %s", d.Name, d.Status, d.Message)
						}
					}
				}
				rounds := (len(hosts) + forks - 1) / forks
				ideal := critical * time.Duration(rounds)
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(ideal.Seconds(), "ideal-s")
				b.ReportMetric(wall.Seconds()/ideal.Seconds(), "wall/ideal")
				// Both processes share this machine's cores: the run cannot
				// finish before their CPU time is spent.
				floor := (cpu + labCPU) / time.Duration(runtime.NumCPU())
				b.ReportMetric(floor.Seconds(), "cpu-floor-s")
				b.ReportMetric(labCPU.Seconds()*1000/float64(len(hosts)), "lab-cpu-ms/device")
				b.ReportMetric(cpu.Seconds()*1000/float64(len(hosts)), "cpu-ms/device")
				b.ReportMetric(cpu.Seconds()*1e6/float64(commands.Load()), "cpu-us/command")
				b.ReportMetric(maxRSSMiB(), "peak-rss-MiB")
				b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/1024/float64(len(hosts)), "alloc-KiB/device")
				var sum time.Duration
				for _, d := range rep.Devices {
					sum += d.Duration
				}
				// A device's own time against one device alone: above 1, the
				// devices slow each other down (CPU); the rest of wall/ideal
				// is the pool's scheduling.
				b.ReportMetric(float64(sum)/float64(len(rep.Devices))/float64(critical), "device/critical")
			}
		})
	}
}

// countingOpener counts the lines sent to devices: each command, each
// config line plus entering and leaving config mode, each dialogue step.
func countingOpener(n *atomic.Int64) engine.Opener {
	open := engine.DriverOpener(nil)
	return func(ctx context.Context, h *hcl.Host, w io.Writer) (engine.Session, error) {
		s, err := open(ctx, h, w)
		if err != nil {
			return nil, err
		}
		return &countingSession{Session: s, n: n}, nil
	}
}

type countingSession struct {
	engine.Session
	n *atomic.Int64
}

func (c *countingSession) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	c.n.Add(1)
	return c.Session.SendCommand(ctx, cmd, opts...)
}

func (c *countingSession) SendConfigSet(ctx context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error) {
	c.n.Add(int64(len(lines) + 2))
	return c.Session.SendConfigSet(ctx, lines, opts...)
}

func (c *countingSession) Save(ctx context.Context) (*driver.Response, error) {
	c.n.Add(1)
	return c.Session.Save(ctx)
}
