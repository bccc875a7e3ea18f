package driver_test

// Benchmarks of the client side. The lab runs in a child process (this
// test binary re-executed), so the CPU time and memory measured here are
// the driver's alone, not the simulator's.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

const labChildEnv = "RUNBOOK_DRIVER_LAB_CHILD"

// runLabChild serves a fleet until stdin closes. Called from TestMain.
func runLabChild() {
	var specs []lab.DeviceSpec
	for _, p := range strings.Split(os.Getenv(labChildEnv), ",") {
		specs = append(specs, lab.DeviceSpec{Name: "bench-" + strings.ReplaceAll(p, "_", "-"), Platform: p,
			Username: labUser, Password: labPass, Secret: labSecret, StartPrivileged: true})
	}
	f, err := lab.StartFleet(context.Background(), lab.FleetSpec{Devices: specs, Seed: "bench"})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	for _, d := range f.Devices() {
		fmt.Println("DEVICE", d.Name(), d.Platform(), d.Port())
	}
	fmt.Println("READY")
	bufio.NewReader(os.Stdin).ReadString('\n')
	f.Close()
	os.Exit(0)
}

type childDevice struct {
	name, platform string
	port           int
}

// startLabChild starts the lab in a child process and returns its devices.
func startLabChild(b *testing.B, platforms ...string) []childDevice {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), labChildEnv+"="+strings.Join(platforms, ","))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var devs []childDevice
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "DEVICE":
			port, _ := strconv.Atoi(f[3])
			devs = append(devs, childDevice{f[1], f[2], port})
		case len(f) == 1 && f[0] == "READY":
			return devs
		default:
			b.Fatalf("lab child: %s", sc.Text())
		}
	}
	b.Fatalf("lab child exited")
	return nil
}

func (c childDevice) config() driver.Config {
	return driver.Config{
		Name: c.name, Address: "127.0.0.1", Port: c.port, Platform: c.platform,
		Username: labUser, Password: labPass, Secret: labSecret,
		HostKeyCheck:   driver.HostKeyOff, // the child's keys are not worth a known_hosts file here
		CommandTimeout: 10 * time.Second,
	}
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchOpen(b *testing.B, c childDevice) *driver.Session {
	b.Helper()
	s, err := driver.Open(context.Background(), c.config())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkSendCommand(b *testing.B) {
	for _, tc := range []struct{ name, cmd string }{
		{"small", "show clock"},
		{"show_version", "show version"},
		{"show_running_config", "show running-config"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			devs := startLabChild(b, "cisco_ios")
			s := benchOpen(b, devs[0])
			ctx := context.Background()
			r, err := s.SendCommand(ctx, tc.cmd)
			if err != nil || r.Failed {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(r.Output)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := s.SendCommand(ctx, tc.cmd); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

func BenchmarkSendConfigSet100(b *testing.B) {
	devs := startLabChild(b, "cisco_ios")
	s := benchOpen(b, devs[0])
	ctx := context.Background()
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = fmt.Sprintf("logging host 10.0.%d.%d", i/250, i%250+1)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		mr, err := s.SendConfigSet(ctx, lines)
		if err != nil || mr.Failed {
			b.Fatal(err, mr.FirstFailure())
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkSessionMemory reports the heap and goroutines one open, idle
// session holds (after a command, so its buffers exist).
func BenchmarkSessionMemory(b *testing.B) {
	devs := startLabChild(b, "cisco_ios")
	const n = 50
	ctx := context.Background()
	for b.Loop() {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		g0 := runtime.NumGoroutine()
		ss := make([]*driver.Session, n)
		for i := range ss {
			s, err := driver.Open(ctx, devs[0].config())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.SendCommand(ctx, "show clock"); err != nil {
				b.Fatal(err)
			}
			ss[i] = s
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		g1 := runtime.NumGoroutine()
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "heap-B/session")
		b.ReportMetric(float64(g1-g0)/n, "goroutines/session")
		for _, s := range ss {
			s.Close()
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	devs := startLabChild(b, "cisco_ios")
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		s, err := driver.Open(ctx, devs[0].config())
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
