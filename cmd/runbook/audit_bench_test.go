package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAuditFleet writes what a nightly backup run of n devices leaves:
// an inventory of n hosts (IOS, EOS, NX-OS in turn) with the shipped
// audit's compliance blocks, and one backup per host of a 346-line
// configuration (config/testdata/ios.txt plus 48 access ports); every
// seventh device has one more NTP server. It returns the playbook and
// the backup directory.
func writeAuditFleet(tb testing.TB, dir string, n int) (string, string) {
	tb.Helper()
	src, err := os.ReadFile("../../playbooks/audit.hcl")
	if err != nil {
		tb.Fatal(err)
	}
	golden, err := os.ReadFile("../../playbooks/golden/ios.cfg")
	if err != nil {
		tb.Fatal(err)
	}
	base, err := os.ReadFile("../../config/testdata/ios.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var inv strings.Builder
	inv.WriteString("inventory {\n  defaults {\n    username = \"audit\"\n    password = env(\"RUNBOOK_PASSWORD\", \"\")\n  }\n")
	for g, p := range [][2]string{{"access", "cisco_ios"}, {"core", "arista_eos"}, {"dc", "cisco_nxos"}} {
		fmt.Fprintf(&inv, "  group %q {\n    platform = %q\n", p[0], p[1])
		for i := g; i < n; i += 3 {
			fmt.Fprintf(&inv, "    host \"d%d\" {}\n", i)
		}
		inv.WriteString("  }\n")
	}
	inv.WriteString("}\n")
	play := string(src)
	start := strings.Index(play, "inventory {")
	end := start + strings.Index(play[start:], "\n}\n") + 3
	play = play[:start] + inv.String() + play[end:]
	pbDir := filepath.Join(dir, "pb")
	if err := os.MkdirAll(filepath.Join(pbDir, "golden"), 0o700); err != nil {
		tb.Fatal(err)
	}
	playPath := filepath.Join(pbDir, "audit.hcl")
	for p, b := range map[string][]byte{playPath: []byte(play), filepath.Join(pbDir, "golden", "ios.cfg"): golden} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	var ports strings.Builder
	for k := range 48 {
		fmt.Fprintf(&ports, "interface GigabitEthernet1/0/%d\n description access port %d\n switchport access vlan 10\n switchport mode access\n spanning-tree portfast\n!\n", k, k)
	}
	backups := filepath.Join(dir, "backups")
	for i := range n {
		h := fmt.Sprintf("d%d", i)
		body := strings.Replace(string(base), "hostname r1", "hostname "+h, 1) + ports.String()
		if i%7 == 0 {
			body += "ntp server 10.0.1.101\n"
		}
		if err := os.MkdirAll(filepath.Join(backups, h), 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(backups, h, h+"-20261127T010000Z.cfg"), []byte(body), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return playPath, backups
}

// BenchmarkAuditFrom is `runbook audit --from DIR` end to end: loading
// the playbook (n hosts), finding the newest backup of each host, parsing
// and checking it, the console summary and a JSON report. With the HTML
// report too in the html case.
//
//	go test ./cmd/runbook -run '^$' -bench AuditFrom -benchtime 3x
func BenchmarkAuditFrom(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, html := range []bool{false, true} {
			name := fmt.Sprintf("devices=%d", n)
			if html {
				name += "/html"
			}
			b.Run(name, func(b *testing.B) {
				dir := b.TempDir()
				play, backups := writeAuditFleet(b, dir, n)
				args := []string{"audit", "-q", "--from", backups, "--json", filepath.Join(dir, "a.json"), play}
				if html {
					args = append(args, "--html", filepath.Join(dir, "a.html"))
				}
				b.ResetTimer()
				for range b.N {
					if code := run(context.Background(), args, io.Discard, io.Discard); code != exitFailed {
						b.Fatalf("exit %d, want 1", code)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "devices/s")
			})
		}
	}
}

// The benchmark's fleet is audited as the shipped playbook says: a small
// copy of it, so that the benchmark measures a working audit.
func TestAuditFleetFixture(t *testing.T) {
	dir := t.TempDir()
	play, backups := writeAuditFleet(t, dir, 7)
	jsonPath := filepath.Join(dir, "a.json")
	code, out, errOut := runCLI(t, "audit", "--from", backups, "--json", jsonPath, play)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	rep := readAuditJSON(t, jsonPath)
	if rep.Summary.Devices != 7 || rep.Summary.Errors != 0 {
		t.Fatalf("summary %+v", rep.Summary)
	}
	st := rep.statuses()
	// d0 has both NTP servers; the others lack 10.0.1.101.
	if st["d0"]["ntp"] != "pass" || st["d1"]["ntp"] != "fail" || st["d3"]["vty_ssh_only"] != "pass" || st["d2"]["syslog"] != "pass" {
		t.Errorf("statuses: %v", st)
	}
}
