package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlatformCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"cisco_ios", []string{"cisco_ios"}},
		{"cisco_xe", []string{"cisco_xe", "cisco_ios"}},
		{"Cisco_XE", []string{"cisco_xe", "cisco_ios"}},
		{"cisco_iosxe", []string{"cisco_iosxe", "cisco_ios"}},
		{"cisco.ios.ios", []string{"cisco.ios.ios", "ios", "cisco_ios"}},
		{"cisco_ios_telnet", []string{"cisco_ios_telnet", "cisco_ios"}},
		{"nxos", []string{"nxos", "cisco_nxos"}},
		{"eos", []string{"eos", "arista_eos"}},
		{"junipernetworks.junos.junos", []string{"junipernetworks.junos.junos", "junos", "juniper_junos"}},
		{"cisco_iosxr", []string{"cisco_iosxr", "cisco_xr"}},
		{"hp_procurve", []string{"hp_procurve"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, platformCandidates(tt.in)); diff != "" {
			t.Errorf("platformCandidates(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

const iosVersion = "Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.9(3)M4, RELEASE SOFTWARE (fc3)\nROM: Bootstrap program is IOSv\n"

func TestAutoAliasesAndAbbreviations(t *testing.T) {
	p := autoParser(t)
	for _, platform := range []string{"cisco_ios", "cisco_xe", "ios", "cisco.ios.ios", "cisco_ios_ssh"} {
		for _, cmd := range []string{"show version", "sh ver", "sho   vers"} {
			recs, err := p.ParseFor(platform, cmd, iosVersion)
			if err != nil || len(recs) != 1 || recs[0]["version"] != "15.9(3)M4" {
				t.Errorf("ParseFor(%q, %q) = %v, %v", platform, cmd, recs, err)
			}
		}
	}
}

// User templates take precedence over the built-in ones; an alias name
// (cisco_xe) is looked up as given before its ntc-templates name; and
// NTC_TEMPLATES_DIR works like templates_dir.
func TestAutoUserTemplates(t *testing.T) {
	user, _ := filepath.Abs(filepath.Join("testdata", "parse", "user"))
	for _, how := range []string{"templates_dir", "NTC_TEMPLATES_DIR"} {
		t.Run(how, func(t *testing.T) {
			spec := ParseSpec{TextFSM: "auto"}
			t.Setenv("NTC_TEMPLATES_DIR", "")
			if how == "templates_dir" {
				spec.TemplatesDir = user
			} else {
				t.Setenv("NTC_TEMPLATES_DIR", user)
			}
			p, err := CompileParse(spec)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := p.ParseFor("cisco_ios", "show version", iosVersion)
			want := []map[string]any{{"version": "15.9(3)M4", "user": "IOSv"}}
			if diff := cmp.Diff(want, recs); err != nil || diff != "" {
				t.Errorf("user show version: %v (-want +got):\n%s", err, diff)
			}
			// Not in the user index: the built-in template answers.
			recs, err = p.ParseFor("cisco_ios", "show clock", "*10:00:00.000 UTC Mon Jan 1 2024\n")
			if err != nil || len(recs) != 1 || recs[0]["year"] != "2024" {
				t.Errorf("built-in show clock: %v %v", recs, err)
			}
			// cisco_xe has its own row in the user index.
			recs, err = p.ParseFor("cisco_xe", "show clock", "*10:00:00.000 UTC Mon Jan 1 2024\n")
			if err != nil || len(recs) != 1 || recs[0]["xe"] != "UTC Mon Jan 1 2024" {
				t.Errorf("user cisco_xe show clock: %v %v", recs, err)
			}
		})
	}
}

// An index row naming two templates: the second adds its columns to the
// first one's records, matched on the Key values.
func TestAutoMultipleTemplates(t *testing.T) {
	p, err := CompileParse(ParseSpec{TextFSM: "auto", TemplatesDir: filepath.Join("testdata", "parse", "user")})
	if err != nil {
		t.Fatal(err)
	}
	recs, fields, err := p.parse("cisco_ios", "show ports", "port 1 up\nport 2 down\nspeed 2 10G\nspeed 1 1G\nspeed 9 40G\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"port": "1", "state": "up", "speed": "1G"},
		{"port": "2", "state": "down", "speed": "10G"},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"port", "state", "speed"}, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

// Every way a parse fails is an error that says which case it is.
func TestParseFailureModes(t *testing.T) {
	user := filepath.Join("testdata", "parse", "user")
	p, err := CompileParse(ParseSpec{TextFSM: "auto", TemplatesDir: user})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, platform, command, output string
		is                              error
		want                            string
	}{
		{"no template", "cisco_xe", "show bogus", "x", ErrNoTemplate,
			`no template found for platform "cisco_xe" (also tried cisco_ios) and command "show bogus" in templates_dir testdata/parse/user, built-in templates`},
		{"unknown platform", "acme_os", "show version", "x", ErrNoTemplate, `platform "acme_os" and command "show version"`},
		{"no records", "cisco_ios", "show ip interface brief", "nothing\n", ErrNoRecords,
			"no records: template cisco_ios_show_ip_interface_brief.textfsm matched nothing in the output (8 bytes); set allow_empty = true if an empty result is expected"},
		{"template file missing", "cisco_ios", "show missing", "x", ErrTextFSM, "lists user_missing.textfsm, which cannot be read"},
		{"no command", "cisco_ios", "", "x", nil, `needs the step's command`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := p.ParseFor(tt.platform, tt.command, tt.output)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFor = %v, %v; want an error wrapping %v containing %q", recs, err, tt.is, tt.want)
			}
		})
	}
	// An Error rule firing is a TextFSM error too.
	ep, err := CompileParse(ParseSpec{Template: "Value A (\\S+)\n\nStart\n  ^a ${A} -> Record\n  ^. -> Error \"unexpected\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ep.Parse("a 1\nb\n"); !errors.Is(err, ErrTextFSM) || !strings.Contains(err.Error(), "unexpected") {
		t.Errorf("Error rule: %v", err)
	}
	// "auto" cannot parse without a platform and command.
	if _, err := p.Parse("x"); err == nil || !strings.Contains(err.Error(), "needs the step's command") {
		t.Errorf("Parse on auto: %v", err)
	}
}

// Parsers are shared by every device of a run: parallel "auto" parses on
// several platforms resolve and compile each template once and share no
// parse state (run with -race).
func TestAutoParallel(t *testing.T) {
	p := autoParser(t)
	type job struct{ platform, cmd, file string }
	var jobs []job
	for platform, cmds := range labParsed {
		for _, c := range cmds {
			jobs = append(jobs, job{platform, c, filepath.Join("testdata", "parse", platform, fileName(c))})
		}
	}
	want := map[string]int{}
	inputs := map[string]string{}
	for _, j := range jobs {
		raw, err := os.ReadFile(j.file + ".raw")
		if err != nil {
			t.Fatal(err)
		}
		inputs[j.file] = string(raw)
		recs, err := p.ParseFor(j.platform, j.cmd, string(raw))
		if err != nil {
			t.Fatal(err)
		}
		want[j.file] = len(recs)
	}
	p = autoParser(t) // a fresh parser: resolution and compiles race too
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(jobs))
	for range 8 {
		for _, j := range jobs {
			wg.Go(func() {
				recs, err := p.ParseFor(j.platform, j.cmd, inputs[j.file])
				if err != nil {
					errs <- err
				} else if len(recs) != want[j.file] {
					errs <- fmt.Errorf("%s %s: %d records, want %d", j.platform, j.cmd, len(recs), want[j.file])
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestParseTextAndTable(t *testing.T) {
	t.Setenv("NTC_TEMPLATES_DIR", "")
	recs, fields, err := ParseText("cisco_ios", "show ip int brief", "", "", ipIntBrief)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"interface", "ip_address", "status", "proto"}, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, fields, recs); err != nil {
		t.Fatal(err)
	}
	want := `INTERFACE           IP_ADDRESS  STATUS                 PROTO
GigabitEthernet0/0  10.0.0.1    up                     up
GigabitEthernet0/1  unassigned  administratively down  down
Loopback0           192.0.2.1   up                     up
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	// Lists print comma-separated; an explicit template path wins.
	b.Reset()
	_ = WriteTable(&b, []string{"vlan"}, []map[string]any{{"vlan": "1", "ports": []any{"Gi0/1", "Gi0/2"}}})
	if want := "VLAN  PORTS\n1     Gi0/1, Gi0/2\n"; b.String() != want {
		t.Errorf("list table = %q, want %q", b.String(), want)
	}
	recs, _, err = ParseText("", "", "", "testdata/cisco_ios_show_ip_interface_brief.textfsm", ipIntBrief)
	if err != nil || len(recs) != 3 {
		t.Errorf("template path: %v %v", recs, err)
	}
	// Zero records is fine for the tool; no platform is not.
	if recs, _, err := ParseText("cisco_ios", "show clock", "", "", "nothing\n"); err != nil || len(recs) != 0 {
		t.Errorf("empty: %v %v", recs, err)
	}
	if _, _, err := ParseText("", "show clock", "", "", "x"); err == nil {
		t.Error("want an error without --platform")
	}
}

// BenchmarkParseShowInterfaces parses a synthetic IOS "show interfaces"
// with 500 interfaces, built from the recorded lab output.
func BenchmarkParseShowInterfaces(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "parse", "cisco_ios", "show_interfaces.raw"))
	if err != nil {
		b.Fatal(err)
	}
	// The GigabitEthernet0/1 block, renumbered 500 times.
	blocks := strings.SplitAfter(string(raw), "output buffers swapped out\n")
	var one string
	for _, bl := range blocks {
		if strings.HasPrefix(bl, "GigabitEthernet0/1 ") {
			one = bl
		}
	}
	if one == "" {
		b.Fatal("no GigabitEthernet0/1 block in the recording")
	}
	var in strings.Builder
	for i := range 500 {
		in.WriteString(strings.ReplaceAll(one, "GigabitEthernet0/1", fmt.Sprintf("GigabitEthernet%d/%d", i/48, i%48)))
	}
	output := in.String()
	p := autoParser(b)
	if recs, err := p.ParseFor("cisco_ios", "show interfaces", output); err != nil || len(recs) != 500 {
		b.Fatalf("%d records, %v", len(recs), err)
	}
	b.SetBytes(int64(len(output)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.ParseFor("cisco_ios", "show interfaces", output); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "records/s")
}

// send_command results carry the command for the "auto" lookup; a
// sensitive command is withheld so that a "no template" message cannot
// reveal it.
func TestSendCommandResultCommand(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show clock": "*10:00:00.000 UTC Mon Jan 1 2024"}}
	res, err := run(t, "send_command", `command = "show clock"`, conn, &Env{})
	if err != nil || res.Command != "show clock" {
		t.Fatalf("Command = %q, %v", res.Command, err)
	}
	conn.outputs["show hunter2"] = "x"
	sres, err := run(t, "send_command", `command = "show ${var.password}"`, conn, &Env{})
	if err != nil || sres.Command != "" {
		t.Errorf("sensitive: Command = %q, %v", sres.Command, err)
	}
	recs, err := autoParser(t).ParseFor("cisco_ios", res.Command, res.Output)
	if err != nil || len(recs) != 1 || recs[0]["time"] != "10:00:00.000" {
		t.Errorf("ParseFor: %v %v", recs, err)
	}
}

// A template RE2 cannot run (a lookahead) parses with Python's meaning.
func TestAutoLookaheadTemplate(t *testing.T) {
	p, err := CompileParse(ParseSpec{TextFSM: "auto", TemplatesDir: filepath.Join("testdata", "parse", "user"), AllowEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.ParseFor("cisco_ios", "show look", "name x y\nname z\n")
	if err != nil || !cmp.Equal(recs, []map[string]any{{"name": "x"}}) {
		t.Errorf("ParseFor = %v, %v; want the one name followed by a space", recs, err)
	}
}
