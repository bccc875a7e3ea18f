package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/tasks"
)

// benchResult is what a send_command step with a parse block records: the
// raw output (4 KB) and 50 parsed records of 8 fields, one a list.
func benchResult() map[string]any {
	records := make([]map[string]any, 50)
	for i := range records {
		records[i] = map[string]any{
			"interface":   fmt.Sprintf("GigabitEthernet0/%d", i),
			"link_status": "up", "protocol_status": "up",
			"ip_address": fmt.Sprintf("10.0.%d.1", i), "mtu": "1500",
			"description": "uplink to core", "bandwidth": "1000000 Kbit",
			"vlans": []any{"10", "20", "30"},
		}
	}
	r := &tasks.Result{
		Output:  strings.Repeat("interface GigabitEthernet0/1\n description uplink\n", 80),
		Records: records,
		Lines:   []*driver.Response{{Command: "show interfaces", Output: "ok"}},
	}
	return r.Value()
}

// BenchmarkAnyToCty measures recording one step's result for later steps
// (engine/run.go record and recordOutcome).
func BenchmarkAnyToCty(b *testing.B) {
	for _, tc := range []struct {
		name string
		v    map[string]any
	}{
		{"plain_result", (&tasks.Result{Output: "Cisco IOS Software, Version 15.2\n", Changed: true}).Value()},
		{"parsed_50_records", benchResult()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				anyToCty(tc.v)
			}
		})
	}
}
