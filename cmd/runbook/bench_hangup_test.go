package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// BenchmarkApplyFleetNoHangup runs playbooks/ntp.hcl on two lab fleets
// alike but for one thing: the devices of the second do not hang up after
// "exit" (the lab fault no_hangup_on_exit, as some devices and simulators
// behave). It reports each fleet's wall time, the mean device time (from
// the device's start to the end of its Close, what holds a worker) and
// their ratio. RUNBOOK_BENCH_DEVICES (default 200), RUNBOOK_BENCH_FORKS
// (default 50) and RUNBOOK_BENCH_LATENCY (default 20ms) set the fleet. The
// lab runs in this process (lab serve takes no faults), so the CPU figures
// of BenchmarkApplyFleet are not reported here.
func BenchmarkApplyFleetNoHangup(b *testing.B) {
	devices, forks, latency := 200, 50, 20*time.Millisecond
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_DEVICES")); err == nil && v > 0 {
		devices = v
	}
	if v, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_FORKS")); err == nil && v > 0 {
		forks = v
	}
	if v, err := time.ParseDuration(os.Getenv("RUNBOOK_BENCH_LATENCY")); err == nil {
		latency = v
	}
	b.Setenv("RUNBOOK_PASSWORD", "unused")
	b.Setenv("RUNBOOK_SECRET", "unused")
	dir := b.TempDir()
	var inv strings.Builder
	inv.WriteString("inventory {\n  defaults {\n    platform = \"cisco_ios\"\n    username = \"admin\"\n" +
		"    password = env(\"RUNBOOK_PASSWORD\")\n    secret   = env(\"RUNBOOK_SECRET\")\n  }\n")
	for i := range devices {
		fmt.Fprintf(&inv, "  host \"d%d\" { address = \"127.0.0.1\" }\n", i+1)
	}
	inv.WriteString("}\n")
	invPath := filepath.Join(dir, "inventory.hcl")
	src, err := os.ReadFile("../../playbooks/ntp.hcl")
	if err != nil {
		b.Fatal(err)
	}
	play := filepath.Join(dir, "ntp.hcl")
	if err := os.WriteFile(invPath, []byte(inv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(play, src, 0o600); err != nil {
		b.Fatal(err)
	}
	lf := loadFlags{inventory: []string{invPath}, diagFormat: "plain"}
	plan, err := lf.load(os.Stderr, []string{play})
	if err != nil {
		b.Fatal(err)
	}
	hosts := plan.Playbook.Inventory.Hosts

	// run runs the playbook on a fresh lab fleet with faults and returns
	// the wall time and the mean device time.
	run := func(b *testing.B, faults string) (time.Duration, time.Duration) {
		lr, err := startLab(context.Background(), hosts, []string{"*:" + faults})
		if err != nil {
			b.Skipf("lab: %v", err) // a lab without the fault
		}
		defer lr.Close()
		start := time.Now()
		rep := plan.Run(context.Background(), lr.hosts, engine.Options{Forks: forks, ConnectLimit: forks})
		wall := time.Since(start)
		waitSessionsClosed()
		var sum time.Duration
		for _, d := range rep.Devices {
			if d.Status != engine.DevicePassed {
				b.Fatalf("%s: %s %s", d.Name, d.Status, d.Message)
			}
			sum += d.Duration
		}
		return wall, sum / time.Duration(len(rep.Devices))
	}
	lat := "latency=" + latency.String()
	b.Run(fmt.Sprintf("devices=%d/forks=%d", devices, forks), func(b *testing.B) {
		for b.Loop() {
			wallUp, devUp := run(b, lat)
			wallStay, devStay := run(b, lat+",no_hangup_on_exit")
			b.ReportMetric(wallUp.Seconds(), "hangs-up-wall-s")
			b.ReportMetric(wallStay.Seconds(), "no-hangup-wall-s")
			b.ReportMetric(float64(devUp.Microseconds())/1000, "hangs-up-device-ms")
			b.ReportMetric(float64(devStay.Microseconds())/1000, "no-hangup-device-ms")
			b.ReportMetric(devStay.Seconds()/devUp.Seconds(), "device-time-ratio")
		}
	})
}
