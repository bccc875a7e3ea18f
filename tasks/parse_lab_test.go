package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// -update re-records the lab's outputs into testdata/parse/<platform>/
// *.raw and rewrites the expected records (*.json) from them. Check the
// JSON diff by hand before committing: it is the reference the shipped
// templates are held to.
var update = flag.Bool("update", false, "re-record lab outputs and rewrite golden records under testdata/parse")

// labParsed lists, per platform, the commands the lab answers that the
// built-in templates parse. TestParseLabDrift runs every one of them.
var labParsed = map[string][]string{
	lab.CiscoIOS: {
		"show version", "show ip interface brief", "show interfaces", "show ntp associations",
		"show ip route", "show cdp neighbors", "show vlan brief", "show inventory", "show clock",
	},
	lab.CiscoNXOS: {
		"show version", "show ip interface brief", "show interface", "show ntp peer-status",
		"show ip route", "show cdp neighbors", "show vlan brief", "show inventory", "show clock",
	},
	lab.AristaEOS: {
		"show version", "show ip interface brief", "show interfaces", "show interfaces status",
		"show inventory", "show ntp associations", "show ip route", "show lldp neighbors",
		"show vlan", "show clock", "show hostname",
	},
	lab.JuniperJunos: {
		"show version", "show interfaces terse", "show ntp associations", "show route",
		"show lldp neighbors", "show system uptime",
	},
}

// labUnparsed are the other show commands the lab answers. No built-in
// template covers them, and the lookup must say so rather than pick a
// template for a shorter command (the index matches prefixes).
var labUnparsed = map[string][]string{
	lab.CiscoIOS:     {"show ntp status", "show privilege", "show users", "show reload", "show running-config", "show startup-config"},
	lab.CiscoNXOS:    {"show ntp status", "show ntp peers", "show interface brief", "show hostname", "show running-config"},
	lab.AristaEOS:    {"show ntp status", "show privilege", "show running-config"},
	lab.JuniperJunos: {"show ntp status", "show chassis hardware", "show configuration"},
}

// labSetup is configuration pushed before recording, so that NTP, VLAN
// and route tables have rows beyond the defaults.
var labSetup = map[string][]string{
	lab.CiscoIOS:     {"ntp server 10.0.1.100", "ntp server 10.0.1.101", "vlan 20", "name users", "ip route 10.99.0.0 255.255.0.0 10.0.255.1"},
	lab.CiscoNXOS:    {"ntp server 10.0.1.100", "ntp server 10.0.1.101", "vlan 20", "name users", "ip route 10.99.0.0/16 10.0.255.1"},
	lab.AristaEOS:    {"ntp server 10.0.1.100", "ntp server 10.0.1.101", "vlan 20", "name users", "ip route 10.99.0.0/16 10.0.255.1"},
	lab.JuniperJunos: {"set system ntp server 10.0.1.100", "set system ntp server 10.0.1.101", "set routing-options static route 10.99.0.0/16 next-hop 10.0.255.1"},
}

// fileName turns a command into a file name: "show ip route" ->
// "show_ip_route".
func fileName(cmd string) string { return strings.ReplaceAll(cmd, " ", "_") }

// labOutputs starts one simulated device per platform on 127.0.0.1,
// configures it and returns every parsed command's output.
func labOutputs(t *testing.T) map[string]map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var specs []lab.DeviceSpec
	for _, p := range sortedKeys(labParsed) {
		specs = append(specs, lab.DeviceSpec{Name: strings.SplitN(p, "_", 2)[1] + "1", Platform: p})
	}
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{Seed: "parse-golden", Devices: specs})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	out := map[string]map[string]string{}
	for _, d := range fleet.Devices() {
		s, err := driver.Open(ctx, driver.Config{
			Name: d.Name(), Address: "127.0.0.1", Port: d.Port(), Platform: d.Platform(),
			Username: "admin", Password: "admin", Secret: "admin",
			HostKeyCheck:   driver.HostKeyOff, // the lab's keys are ephemeral
			CommandTimeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		if mr, err := s.SendConfigSet(ctx, labSetup[d.Platform()]); err != nil || mr.FirstFailure() != nil {
			t.Fatalf("%s: configuring: %v %+v", d.Name(), err, mr)
		}
		out[d.Platform()] = map[string]string{}
		for _, cmd := range append(slices.Clone(labParsed[d.Platform()]), labUnparsed[d.Platform()]...) {
			r, err := s.SendCommand(ctx, cmd)
			if err != nil || r.Failed {
				t.Fatalf("%s: %s: %v %+v", d.Name(), cmd, err, r)
			}
			out[d.Platform()][cmd] = r.Output
		}
		_ = s.Close()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func autoParser(t testing.TB) *Parser {
	t.Helper()
	t.Setenv("NTC_TEMPLATES_DIR", "") // the built-in templates only
	p, err := CompileParse(ParseSpec{TextFSM: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestParseGolden parses the recorded lab output of every shipped
// template and compares with the hand-checked records.
func TestParseGolden(t *testing.T) {
	dir := filepath.Join("testdata", "parse")
	if *update {
		for platform, outs := range labOutputs(t) {
			if err := os.MkdirAll(filepath.Join(dir, platform), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range labParsed[platform] {
				if err := os.WriteFile(filepath.Join(dir, platform, fileName(cmd)+".raw"), []byte(outs[cmd]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	p := autoParser(t)
	for _, platform := range sortedKeys(labParsed) {
		for _, cmd := range labParsed[platform] {
			t.Run(platform+"/"+fileName(cmd), func(t *testing.T) {
				base := filepath.Join(dir, platform, fileName(cmd))
				raw, err := os.ReadFile(base + ".raw")
				if err != nil {
					t.Fatalf("%v (record with go test ./tasks -run TestParseGolden -update)", err)
				}
				recs, err := p.ParseFor(platform, cmd, string(raw))
				if err != nil {
					t.Fatal(err)
				}
				got, err := json.MarshalIndent(recs, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				if *update {
					if err := os.WriteFile(base+".json", got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(base + ".json")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("records of %s.raw (-want +got):\n%s", base, diff)
				}
			})
		}
	}
}

// TestParseLabDrift runs the shipped templates over fresh lab output for
// every command the lab answers, so that the lab and the templates cannot
// drift apart: each parsed command must give as many records as the
// golden file, with the same fields filled in (values such as uptimes and
// counters change from run to run), and every other command must find no
// template.
func TestParseLabDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a lab fleet")
	}
	outs := labOutputs(t)
	p := autoParser(t)
	for _, platform := range sortedKeys(labParsed) {
		for _, cmd := range labParsed[platform] {
			t.Run(platform+"/"+fileName(cmd), func(t *testing.T) {
				recs, err := p.ParseFor(platform, cmd, outs[platform][cmd])
				if err != nil {
					t.Fatalf("%v\noutput:\n%s", err, outs[platform][cmd])
				}
				b, err := os.ReadFile(filepath.Join("testdata", "parse", platform, fileName(cmd)+".json"))
				if err != nil {
					t.Fatal(err)
				}
				var want []map[string]any
				if err := json.Unmarshal(b, &want); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(shape(want), shape(recs)); diff != "" {
					t.Errorf("filled-in fields per record differ from the golden file (-golden +lab):\n%s\noutput:\n%s", diff, outs[platform][cmd])
				}
			})
		}
		for _, cmd := range labUnparsed[platform] {
			if _, err := p.ParseFor(platform, cmd, outs[platform][cmd]); !errors.Is(err, ErrNoTemplate) {
				t.Errorf("%s %q: err = %v, want ErrNoTemplate", platform, cmd, err)
			}
		}
	}
}

// shape is, per record, the sorted names of the fields with a value.
func shape(recs []map[string]any) [][]string {
	out := make([][]string, len(recs))
	for i, r := range recs {
		out[i] = []string{}
		for k, v := range r {
			switch v := v.(type) {
			case string:
				if v == "" {
					continue
				}
			case []any:
				if len(v) == 0 {
					continue
				}
			}
			out[i] = append(out[i], k)
		}
		slices.Sort(out[i])
	}
	return out
}
