package tasks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func benchCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// blockStats returns the write requests and cache flushes the block
// device holding dir has completed (Linux: /sys/dev/block/M:m/stat), or
// ok false where that cannot be read.
func blockStats(dir string) (writes, flushes int64, ok bool) {
	st, err := os.Stat(dir)
	if err != nil {
		return 0, 0, false
	}
	sys, isStat := st.Sys().(*syscall.Stat_t)
	if !isStat {
		return 0, 0, false
	}
	dev := uint64(sys.Dev)
	major, minor := (dev>>8)&0xfff|(dev>>32)&^0xfff, dev&0xff|(dev>>12)&^0xff
	b, err := os.ReadFile(fmt.Sprintf("/sys/dev/block/%d:%d/stat", major, minor))
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 16 {
		return 0, 0, false
	}
	writes, _ = strconv.ParseInt(f[4], 10, 64)
	flushes, _ = strconv.ParseInt(f[15], 10, 64)
	return writes, flushes, true
}

// BenchmarkWriteBackup writes backups as the first run over a fleet does:
// each host's file in a new directory dir/<host>/, by one worker at a time
// and by 50 at once (a fleet's devices reach their backup step together).
// It reports the process's CPU per backup and, where the block device's
// counters can be read, the write requests and cache flushes it cost.
// Run it on the disk the backups go to: on tmpfs, syncing is free.
func BenchmarkWriteBackup(b *testing.B) {
	data := bytes.Repeat([]byte("interface GigabitEthernet0/1\n description uplink to core\n"), 150) // 8.5 KB
	for _, workers := range []int{1, 50} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			dir := b.TempDir()
			now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
			var n atomic.Int64
			one := func() {
				host := fmt.Sprintf("sw%d", n.Add(1))
				if _, err := writeBackup(filepath.Join(dir, host), host, now, data); err != nil {
					b.Error(err)
				}
			}
			w0, f0, diskOK := blockStats(dir)
			cpu0 := benchCPU()
			b.ResetTimer()
			if workers == 1 {
				for b.Loop() {
					one()
				}
			} else {
				b.SetParallelism((workers + 1) / 2) // × GOMAXPROCS goroutines
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						one()
					}
				})
			}
			b.StopTimer()
			ops := float64(n.Load())
			b.ReportMetric(float64((benchCPU()-cpu0).Microseconds())/ops, "cpu-µs/op")
			if w1, f1, ok := blockStats(dir); ok && diskOK {
				b.ReportMetric(float64(w1-w0)/ops, "disk-writes/op")
				b.ReportMetric(float64(f1-f0)/ops, "flushes/op")
			}
		})
	}
}
