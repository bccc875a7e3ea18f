package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The benchmarks run the same work in Python's textfsm, in one Python
// process, and report its time beside ours as python-ms/op:
//
//	go test ./parse -run XXX -bench . -benchtime 5x
//
// Both sides parse the template files and the same texts; Python's time
// is measured inside the process (interpreter start not counted).

// pythonTiming runs the jobs `rounds` times in one Python process and
// returns the best round's milliseconds.
const pythonTiming = `
import io, json, sys, time
import textfsm
jobs = json.load(sys.stdin)
best = None
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    templates = {}
    for j in jobs:
        # one compile per template per round, as runbook does per process
        if j['template'] not in templates:
            with open(j['template']) as f:
                templates[j['template']] = f.read()
        fsm = textfsm.TextFSM(io.StringIO(templates[j['template']]))
        try:
            fsm.ParseText(j['text'])
        except textfsm.TextFSMError:
            pass  # an Error rule firing; runbook returns the error too
    dt = (time.perf_counter() - t0) * 1000
    best = dt if best is None or dt < best else best
print(best)
`

func pythonMillis(b *testing.B, jobs []refJob) float64 {
	b.Helper()
	py := pythonTextFSM(b)
	in, err := json.Marshal(jobs)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pythonTiming, "3")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatal(err)
	}
	return ms
}

// BenchmarkSuite compiles every ntc-templates template and parses four
// generated inputs with each (about 4,000 parses), like a run of
// ntc-templates' own test suite in one process.
func BenchmarkSuite(b *testing.B) {
	dir := ntcDir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.textfsm"))
	srcs := make([]string, len(files))
	var jobs []refJob
	texts := make([][]string, len(files))
	for i, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i] = string(src)
		tm, err := Compile(f, srcs[i])
		if err != nil {
			b.Fatal(err)
		}
		for v := range 4 {
			text := generateInput(tm, uint64(v))
			texts[i] = append(texts[i], text)
			jobs = append(jobs, refJob{Template: f, Text: text})
		}
	}
	py := pythonMillis(b, jobs)
	b.ResetTimer()
	for b.Loop() {
		for i, f := range files {
			tm, err := Compile(f, srcs[i])
			if err != nil {
				b.Fatal(err)
			}
			for _, text := range texts[i] {
				_, _ = tm.ParseText(text)
			}
		}
	}
	b.ReportMetric(py, "python-ms/op")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkLargeOutput parses one large output (about 200 KB: 150
// interfaces of a synthetic IOS "show interfaces") with ntc-templates'
// cisco_ios_show_interfaces template, compiled once.
func BenchmarkLargeOutput(b *testing.B) {
	dir := ntcDir(b)
	path := filepath.Join(dir, "cisco_ios_show_interfaces.textfsm")
	src, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	tm, err := Compile(path, string(src))
	if err != nil {
		b.Fatal(err)
	}
	text := syntheticShowInterfaces(150)
	rows, err := tm.ParseText(text)
	if err != nil || len(rows) != 150 {
		b.Fatalf("%d records, %v", len(rows), err)
	}
	// Python: the template compiled once is not separable in the timing
	// script, so it parses the text 20 times per job list and we divide.
	jobs := make([]refJob, 20)
	for i := range jobs {
		jobs[i] = refJob{Template: path, Text: text}
	}
	py := pythonMillis(b, jobs) / 20
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tm.ParseText(text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(py, "python-ms/op")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// syntheticShowInterfaces writes n interfaces of IOS "show interfaces".
func syntheticShowInterfaces(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `GigabitEthernet%d/%d is up, line protocol is up 
  Hardware is iGbE, address is 5254.00%02x.%04x (bia 5254.00%02x.%04x)
  Description: uplink to dist%d port %d
  Internet address is 10.%d.%d.1/24
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec, 
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation ARPA, loopback not set
  Keepalive set (10 sec)
  Full Duplex, 1000Mbps, link type is auto, media type is RJ45
  output flow-control is unsupported, input flow-control is unsupported
  ARP type: ARPA, ARP Timeout 04:00:00
  Last input 00:00:01, output 00:00:00, output hang never
  Last clearing of "show interface" counters never
  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0
  Queueing strategy: fifo
  Output queue: 0/40 (size/max)
  5 minute input rate 2000 bits/sec, 3 packets/sec
  5 minute output rate 1000 bits/sec, 1 packets/sec
     123456 packets input, 98765432 bytes, 0 no buffer
     Received 1234 broadcasts (0 IP multicasts)
     0 runts, 0 giants, 0 throttles 
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, 0 multicast, 0 pause input
     65432 packets output, 12345678 bytes, 0 underruns
     0 output errors, 0 collisions, 1 interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out
`, i/48, i%48, i%256, i, i%256, i, i%8, i%48, i/256, i%256)
	}
	return b.String()
}
