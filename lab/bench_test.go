package lab

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStartFleet1000 measures how long 1,000 devices take to start
// and what an idle device costs (heap + goroutine stacks).
func BenchmarkStartFleet1000(b *testing.B) {
	const n = 1000
	spec := FleetSpec{Seed: "bench"}
	for i := 0; i < n; i++ {
		plats := []string{CiscoIOS, CiscoNXOS, AristaEOS, JuniperJunos, Linux, CiscoXR, CiscoASA}
		spec.Devices = append(spec.Devices, DeviceSpec{Name: fmt.Sprintf("d%d", i), Platform: plats[i%len(plats)]})
	}
	var total time.Duration
	var perDevice float64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		f, err := StartFleet(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perDevice += float64(int64(after.HeapAlloc+after.StackInuse)-int64(before.HeapAlloc+before.StackInuse)) / n
		f.Close()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fleet")
	b.ReportMetric(perDevice/float64(b.N)/1024, "KiB/idle-device")
}
