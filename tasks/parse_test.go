package tasks

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ipIntBrief = `Interface              IP-Address      OK? Method Status                Protocol
GigabitEthernet0/0     10.0.0.1        YES NVRAM  up                    up
GigabitEthernet0/1     unassigned      YES unset  administratively down down
Loopback0              192.0.2.1       YES manual up                    up
`

func TestParseTemplateFile(t *testing.T) {
	p, err := CompileParse(ParseSpec{TextFSM: "testdata/cisco_ios_show_ip_interface_brief.textfsm", BaseDir: "."})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse(ipIntBrief)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"interface": "GigabitEthernet0/0", "ip_address": "10.0.0.1", "status": "up", "proto": "up"},
		{"interface": "GigabitEthernet0/1", "ip_address": "unassigned", "status": "administratively down", "proto": "down"},
		{"interface": "Loopback0", "ip_address": "192.0.2.1", "status": "up", "proto": "up"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// The template's "^. -> Error" rule rejects unexpected lines.
	if _, err := p.Parse(ipIntBrief + "% something odd\n"); err == nil {
		t.Error("want an error from the template's Error rule")
	}
}

// A template with Filldown, List and Required values, inline.
const vlanTemplate = `Value Filldown DEVICE (\S+)
Value Required VLAN (\d+)
Value List PORTS (\S+)

Start
  ^device ${DEVICE}
  ^vlan ${VLAN}
  ^\s+port ${PORTS}
  ^end -> Record
`

func TestParseInlineFilldownList(t *testing.T) {
	p, err := CompileParse(ParseSpec{Template: vlanTemplate})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse("device sw1\nvlan 10\n  port Gi0/1\n  port Gi0/2\nend\nvlan 20\nend\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"device": "sw1", "vlan": "10", "ports": []any{"Gi0/1", "Gi0/2"}},
		{"device": "sw1", "vlan": "20", "ports": []any{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// The Filldown DEVICE of the previous parse must not leak into this
	// one, whose output names no device.
	got, err = p.Parse("vlan 30\nend\n")
	if err != nil {
		t.Fatal(err)
	}
	want = []map[string]any{{"device": "", "vlan": "30", "ports": []any{}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second parse leaked state (-want +got):\n%s", diff)
	}
}

// Parsers are shared by every device of a run: parallel parses must not
// share state (run with -race).
func TestParseParallel(t *testing.T) {
	p, err := CompileParse(ParseSpec{Template: vlanTemplate})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			var in strings.Builder
			if i%2 == 0 {
				fmt.Fprintf(&in, "device sw%d\n", i)
			}
			for v := range 20 {
				fmt.Fprintf(&in, "vlan %d\n  port Gi0/%d\nend\n", v, i)
			}
			recs, err := p.Parse(in.String())
			if err != nil {
				errs <- err
				return
			}
			wantDev := ""
			if i%2 == 0 {
				wantDev = fmt.Sprintf("sw%d", i)
			}
			for _, r := range recs {
				if r["device"] != wantDev || !cmp.Equal(r["ports"], []any{fmt.Sprintf("Gi0/%d", i)}) {
					errs <- fmt.Errorf("parse %d: record %v mixes another parse's values", i, r)
					return
				}
			}
			if len(recs) != 20 {
				errs <- fmt.Errorf("parse %d: %d records, want 20", i, len(recs))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Python TextFSM matches rules at the start of the line (re.match); a
// top-level alternation must not match in the middle of a line.
func TestParseAnchoring(t *testing.T) {
	p, err := CompileParse(ParseSpec{Template: "Value A (\\S+)\nValue B (\\S+)\n\nStart\n  ^a ${A}|b ${B} -> Record\n", AllowEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse("a 1\nb 2\nthe b 3\nthe a 4\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"a": "1", "b": ""}, {"a": "", "b": "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestParseEmpty(t *testing.T) {
	p, err := CompileParse(ParseSpec{Template: vlanTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse("nothing here\n"); !errors.Is(err, ErrNoRecords) || !strings.HasPrefix(err.Error(), "no records: template inline template matched nothing") {
		t.Errorf("err = %v, want %v", err, ErrNoRecords)
	}
	p, err = CompileParse(ParseSpec{Template: vlanTemplate, AllowEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse("nothing here\n")
	if err != nil || len(got) != 0 {
		t.Errorf("AllowEmpty: got %v, %v; want no records and no error", got, err)
	}
}

func TestCompileParseErrors(t *testing.T) {
	tests := []struct {
		name string
		spec ParseSpec
		want string
	}{
		{"auto with a missing templates_dir", ParseSpec{TextFSM: "auto", TemplatesDir: "testdata/nope"}, "templates_dir testdata/nope"},
		{"both", ParseSpec{TextFSM: "x.textfsm", Template: vlanTemplate}, "only one of"},
		{"neither", ParseSpec{}, "needs"},
		{"missing file", ParseSpec{TextFSM: "nope.textfsm", BaseDir: "testdata"}, "no such file"},
		{"bad template", ParseSpec{Template: "Value X (\\S+)\n\nStart\n  ^${X} -> Bogus\n"}, "inline template"},
		{"bad regex", ParseSpec{Template: "Value X ((\\S+)\n\nStart\n  ^${X}\n"}, "inline template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileParse(tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
