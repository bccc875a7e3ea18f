package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
	"github.com/runbook-dev/runbook/tasks"
)

// auditReport is the part of `audit --json` the tests read.
type auditReport struct {
	Playbook  string `json:"playbook"`
	Source    string `json:"source"`
	Compliant bool   `json:"compliant"`
	Summary   struct {
		Devices      int     `json:"devices"`
		Compliant    int     `json:"compliant"`
		NotCompliant int     `json:"not_compliant"`
		Errors       int     `json:"errors"`
		Passed       int     `json:"passed"`
		Failed       int     `json:"failed"`
		Score        float64 `json:"score"`
	} `json:"summary"`
	Rules []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Origin   string `json:"origin"`
	} `json:"rules"`
	Groups []struct {
		Group string `json:"group"`
	} `json:"groups"`
	Devices []auditDevice `json:"devices"`
}

type auditDevice struct {
	Name    string     `json:"name"`
	Status  string     `json:"status"`
	Message string     `json:"message"`
	Source  string     `json:"source"`
	Rules   []auditRes `json:"rules"`
}

type auditRes struct {
	Rule     string `json:"rule"`
	Status   string `json:"status"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Lines    []struct {
		Kind string   `json:"kind"`
		Path []string `json:"path"`
		Line string   `json:"line"`
	} `json:"lines"`
	Remediation []string `json:"remediation"`
}

func readAuditJSON(t *testing.T, path string) auditReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r auditReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return r
}

// statuses maps device -> rule -> status.
func (r auditReport) statuses() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, d := range r.Devices {
		out[d.Name] = map[string]string{}
		for _, res := range d.Rules {
			out[d.Name][res.Rule] = res.Status
		}
	}
	return out
}

func (r auditReport) device(t *testing.T, name string) auditDevice {
	t.Helper()
	for _, d := range r.Devices {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no device %s in the report", name)
	return auditDevice{}
}

// The shipped audit on the lab: every device fails the NTP and SNMP
// rules (the fresh lab has no NTP servers and the default community);
// "no ip http server" on the IOS devices is not "ip http server"; the
// EOS devices run the HTTP API; the step assertions are rules too.
func TestAuditLab(t *testing.T) {
	work := copyPlaybooks(t)
	t.Chdir(work)
	out := t.TempDir()
	jsonPath, junitPath, mdPath, htmlPath := filepath.Join(out, "a.json"), filepath.Join(out, "a.xml"), filepath.Join(out, "a.md"), filepath.Join(out, "a.html")
	code, stdout, stderr := runCLI(t, "audit", "--lab", "playbooks/audit.hcl",
		"--json", jsonPath, "--junit", junitPath, "--markdown", mdPath, "--html", htmlPath, "--remediation", filepath.Join(out, "rem"))
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	rep := readAuditJSON(t, jsonPath)
	if rep.Compliant || rep.Source != "lab" || rep.Summary.Devices != 6 || rep.Summary.NotCompliant != 6 || rep.Summary.Errors != 0 {
		t.Errorf("summary %+v, compliant %v, source %q", rep.Summary, rep.Compliant, rep.Source)
	}
	common := map[string]string{"ntp": "fail", "no_plaintext_services": "pass", "snmp_community": "fail", "syslog": "pass", "hostname": "pass",
		"version.answers": "pass", "interfaces.loopback_addressed": "pass"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range common {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	ios := with(map[string]string{"vty_ssh_only": "pass", "ssh_v2": "pass", "intended:ios_access": "fail"})
	eos := with(map[string]string{"no_http_api": "fail"})
	want := map[string]map[string]string{"sw1": ios, "sw2": ios, "core1": eos, "core2": eos, "leaf1": common, "leaf2": common}
	if diff := cmp.Diff(want, rep.statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var ids []string
	for _, r := range rep.Rules {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"ntp", "no_plaintext_services", "snmp_community", "syslog", "hostname", "vty_ssh_only", "ssh_v2", "no_http_api",
		"intended:ios_access", "version.answers", "interfaces.loopback_addressed"}, ids); diff != "" {
		t.Errorf("rule columns (-want +got):\n%s", diff)
	}

	sw1 := rep.device(t, "sw1")
	for _, r := range sw1.Rules {
		switch r.Rule {
		case "ntp":
			if r.Severity != "high" || len(r.Lines) != 2 || r.Lines[0].Kind != "missing" || r.Lines[0].Line != "ntp server 10.0.1.100" ||
				!slices.Equal(r.Remediation, []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}) {
				t.Errorf("sw1 ntp: %+v", r)
			}
		case "snmp_community":
			// The community is a credential: masked in reports.
			if len(r.Lines) != 1 || r.Lines[0].Kind != "forbidden" || r.Lines[0].Line != "snmp-server community (sensitive) RO" {
				t.Errorf("sw1 snmp_community: %+v", r)
			}
		case "intended:ios_access":
			if len(r.Lines) != 2 || r.Lines[1].Line != "ntp server 10.0.1.101" || len(r.Remediation) != 2 {
				t.Errorf("sw1 drift: %+v", r)
			}
		}
	}
	for _, r := range rep.device(t, "core1").Rules {
		if r.Rule == "no_http_api" && (len(r.Lines) != 1 || !slices.Equal(r.Lines[0].Path, []string{"management api http-commands"}) ||
			r.Lines[0].Line != "no shutdown" || !slices.Equal(r.Remediation, []string{"management api http-commands", " shutdown"})) {
			t.Errorf("core1 no_http_api: %+v", r)
		}
	}

	// One testcase per rule per device.
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	b, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &junit); err != nil {
		t.Fatal(err)
	}
	cases, failures := 0, 0
	for _, s := range junit.Suites {
		for _, c := range s.Cases {
			cases++
			if c.Failure != nil {
				failures++
			}
			if st := rep.statuses()[s.Name][c.Name]; (st == "fail") != (c.Failure != nil) {
				t.Errorf("junit %s/%s: failure %v, json status %q", s.Name, c.Name, c.Failure != nil, st)
			}
		}
	}
	if cases != 10+10+8+8+7+7 || junit.Tests != cases || failures != 16 || junit.Failures != 16 {
		t.Errorf("junit: %d cases (tests=%d), %d failures (failures=%d)", cases, junit.Tests, failures, junit.Failures)
	}

	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# Compliance audit: playbooks/audit.hcl", "| ntp | high | 0/6 | 0% |", "| no_plaintext_services | high | 6/6 | 100% |",
		"### core1 (arista_eos): not compliant", "+ ntp server 10.0.1.100", "  management api http-commands\n  -  no shutdown"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	// The remediation files keep what applying them needs.
	rem, err := os.ReadFile(filepath.Join(out, "rem", "sw1.cfg"))
	if err != nil || !strings.Contains(string(rem), "\nno snmp-server community public RO\n") || !strings.Contains(string(rem), "\nntp server 10.0.1.101\n") {
		t.Errorf("remediation of sw1: %v\n%s", err, rem)
	}
	checkAuditHTML(t, htmlPath, rep)

	// The console names each device's failed rules, most severe first.
	if !strings.Contains(stdout, "core1  not compliant  3 of 8 rules failed: ntp (high), snmp_community (high), no_http_api (medium)") ||
		!strings.Contains(stdout, "6 devices: 0 compliant, 6 not compliant, 0 not audited") {
		t.Errorf("console:\n%s", stdout)
	}

	// The backup step ran (it changes no device); an audit of those
	// backups gives the same results for the configuration rules.
	fromJSON := filepath.Join(out, "from.json")
	code, stdout, stderr = runCLI(t, "audit", "--from", "playbooks/backups", "playbooks/audit.hcl", "--json", fromJSON)
	if code != exitFailed {
		t.Fatalf("--from: exit %d\n%s%s", code, stdout, stderr)
	}
	from := readAuditJSON(t, fromJSON)
	if from.Source != "backups in playbooks/backups" {
		t.Errorf("--from source %q", from.Source)
	}
	strip := func(r auditReport) []auditDevice {
		var out []auditDevice
		for _, d := range r.Devices {
			d.Source = ""
			// Step assertions need the device.
			d.Rules = slices.DeleteFunc(slices.Clone(d.Rules), func(x auditRes) bool { return strings.Contains(x.Rule, ".") })
			out = append(out, d)
		}
		return out
	}
	if diff := cmp.Diff(strip(rep), strip(from)); diff != "" {
		t.Errorf("--from differs from the live audit (-live +from):\n%s", diff)
	}
	for _, d := range from.Devices {
		if !strings.HasPrefix(d.Source, filepath.Join("playbooks", "backups", d.Name, d.Name+"-")) {
			t.Errorf("%s audited from %q", d.Name, d.Source)
		}
	}
}

// checkAuditHTML reads the HTML report as XML (it is well-formed on
// purpose) and checks that it is self-contained and holds the matrix.
func checkAuditHTML(t *testing.T, path string, rep auditReport) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, bad := range []string{"http://", "https://", "<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML report holds %q: it must load nothing", bad)
		}
	}
	for _, want := range []string{"<style>", "<script>", "addEventListener", `id="filter"`, `id="status"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	type cell struct{ class, value string }
	var (
		inMatrix, inBody bool
		headers          []string
		rows             = map[string][]cell{}
		row              string
		th               bool
		anchors          []string
	)
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the HTML report is not well-formed: %v", err)
			}
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch {
			case x.Name.Local == "table" && attr(x, "id") == "matrix":
				inMatrix = true
			case inMatrix && x.Name.Local == "tbody":
				inBody = true
			case inMatrix && x.Name.Local == "th":
				th = attr(x, "data-col") == "rule"
			case inBody && x.Name.Local == "tr":
				row = attr(x, "data-device")
				rows[row] = nil
			case inBody && x.Name.Local == "td" && strings.HasPrefix(attr(x, "class"), "c "):
				rows[row] = append(rows[row], cell{strings.TrimPrefix(attr(x, "class"), "c "), attr(x, "data-v")})
			case x.Name.Local == "article":
				anchors = append(anchors, attr(x, "id"))
			}
		case xml.CharData:
			if th {
				headers = append(headers, string(x))
				th = false
			}
		case xml.EndElement:
			if x.Name.Local == "table" {
				inMatrix, inBody = false, false
			}
		}
	}
	var ids []string
	for _, r := range rep.Rules {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff(ids, headers); diff != "" {
		t.Errorf("matrix columns (-want +got):\n%s", diff)
	}
	if len(rows) != len(rep.Devices) {
		t.Errorf("matrix has %d rows, want %d", len(rows), len(rep.Devices))
	}
	st := rep.statuses()
	for dev, cells := range rows {
		if len(cells) != len(ids) {
			t.Errorf("%s: %d cells, want %d", dev, len(cells), len(ids))
			continue
		}
		for i, c := range cells {
			want := "na"
			switch st[dev][ids[i]] {
			case "pass":
				want = "pass"
			case "fail":
				want = "fail sev-" + rep.Rules[i].Severity
			case "error":
				want = "err"
			}
			if c.class != want {
				t.Errorf("%s × %s: cell %q, want %q", dev, ids[i], c.class, want)
			}
		}
	}
	notCompliant := 0
	for _, d := range rep.Devices {
		if d.Status != "compliant" {
			notCompliant++
		}
	}
	if len(anchors) != notCompliant {
		t.Errorf("%d device sections, want one per device not compliant (%d)", len(anchors), notCompliant)
	}
}

// Banned services are whole lines: the lab's IOS devices have "no ip
// http server", which is not "ip http server"; "ip http" flags the lines
// it starts, word by word; a banned line that is there is found.
func TestAuditRuleBannedServicesWholeLines(t *testing.T) {
	audit := playbook(t, "audit.hcl")
	for _, tt := range []struct {
		banned string
		want   string
	}{
		{"", "pass"}, // the playbook's own list
		{`banned_services=["no ip http server"]`, "fail"},
		{`banned_services=["ip http"]`, "pass"}, // "no ip http server" does not start with it
		{`banned_services=["ip http ser"]`, "pass"},
		{`banned_services=["hostname sw1", "ip http server"]`, "fail"},
		{`banned_services=["hostname"]`, "fail"},
	} {
		jsonPath := filepath.Join(t.TempDir(), "audit.json")
		args := []string{"audit", "--lab", "--limit", "sw1", "--json", jsonPath, audit}
		if tt.banned != "" {
			args = append(args, "--var", tt.banned)
		}
		code, out, errOut := runCLI(t, args...)
		if code != exitFailed { // the NTP rule fails on the fresh lab on purpose
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		if got := readAuditJSON(t, jsonPath).statuses()["sw1"]["no_plaintext_services"]; got != tt.want {
			t.Errorf("%q: no_plaintext_services %q, want %q", tt.banned, got, tt.want)
		}
	}
}

// labInventory starts a long-lived lab fleet (apply --lab and audit --lab
// start a new one per run) and writes an inventory of it into dir.
func labInventory(t *testing.T, ctx context.Context, dir string, devs []lab.DeviceSpec) (string, *lab.Fleet) {
	t.Helper()
	for i := range devs {
		devs[i].Username, devs[i].Password, devs[i].Secret = "netops", "lab-password-9", "lab-enable-9"
	}
	t.Setenv("RUNBOOK_USERNAME", "netops")
	t.Setenv("RUNBOOK_PASSWORD", "lab-password-9")
	t.Setenv("RUNBOOK_SECRET", "lab-enable-9")
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{Seed: "audit-test", Devices: devs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	var inv, kh bytes.Buffer
	inv.WriteString("inventory {\n  defaults {\n    username = env(\"RUNBOOK_USERNAME\")\n    password = env(\"RUNBOOK_PASSWORD\")\n" +
		"    secret   = env(\"RUNBOOK_SECRET\")\n    known_hosts_file = \"known_hosts\"\n  }\n")
	for _, d := range fleet.Devices() {
		fmt.Fprintf(&inv, "  host %q {\n    address  = \"127.0.0.1\"\n    port     = %d\n    platform = %q\n  }\n", d.Name(), d.Port(), d.Platform())
	}
	inv.WriteString("}\n")
	if err := lab.WriteKnownHosts(&kh, fleet); err != nil {
		t.Fatal(err)
	}
	invPath := filepath.Join(dir, "inventory.hcl")
	for path, b := range map[string][]byte{invPath: inv.Bytes(), filepath.Join(dir, "known_hosts"): kh.Bytes()} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return invPath, fleet
}

// The audit sends no configuration; the remediation it writes, applied
// with `runbook apply`, makes every device compliant.
func TestAuditRemediationMakesCompliant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	work := copyPlaybooks(t)
	dir := filepath.Join(work, "playbooks")
	inv, fleet := labInventory(t, ctx, dir, []lab.DeviceSpec{
		{Name: "sw1", Platform: lab.CiscoIOS}, {Name: "core1", Platform: lab.AristaEOS}, {Name: "leaf1", Platform: lab.CiscoNXOS},
	})
	audit := filepath.Join(dir, "audit.hcl")
	rem := filepath.Join(dir, "rem")
	jsonPath := filepath.Join(work, "before.json")
	if code, out, errOut := runCLICtx(ctx, t, "audit", "-i", inv, "--json", jsonPath, "--remediation", rem, audit); code != exitFailed {
		t.Fatalf("audit: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, d := range fleet.Devices() {
		for _, line := range d.Received() {
			l := strings.TrimSpace(line)
			if strings.HasPrefix(l, "conf") || strings.HasPrefix(l, "write") || strings.HasPrefix(l, "copy") {
				t.Errorf("the audit sent %q to %s", l, d.Name())
			}
		}
	}
	fix := filepath.Join(dir, "fix.hcl")
	if err := os.WriteFile(fix, []byte(`step "send_config_set" "remediation" {
  commands = split("\n", trimspace(file("rem/${host.name}.cfg")))
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLICtx(ctx, t, "apply", "-i", inv, fix); code != exitOK {
		t.Fatalf("apply the remediation: exit %d\n%s%s", code, out, errOut)
	}
	after := filepath.Join(work, "after.json")
	code, out, errOut := runCLICtx(ctx, t, "audit", "-i", inv, "--json", after, audit)
	if code != exitOK {
		t.Errorf("audit after the remediation: exit %d, want 0\n%s%s", code, out, errOut)
	}
	if rep := readAuditJSON(t, after); !rep.Compliant || rep.Summary.Compliant != 3 || rep.Summary.Failed != 0 {
		t.Errorf("after the remediation: %+v", rep.Summary)
	}
}

// Usage and playbook errors exit 2 before anything connects; a host
// without a backup is not audited (exit 1).
func TestAuditInvalidAndFrom(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inv := `inventory {
  defaults { platform = "cisco_ios" }
  host "r1" { address = "192.0.2.1" }
  host "r2" { address = "192.0.2.2" }
  host "j1" {
    address  = "192.0.2.3"
    platform = "juniper_junos"
  }
}
`
	noRules := write("norules.hcl", inv+`step "send_command" "v" { command = "show version" }`)
	bad := write("bad.hcl", inv+`compliance "c" {
  rule "r" {
    regex    = true
    required = ["ntp server ("]
  }
}`)
	good := write("good.hcl", inv+`compliance "ios" {
  platforms = ["cisco_ios"]
  rule "ntp" {
    severity = "high"
    required = ["ntp server 10.0.1.100"]
  }
}
compliance "junos" {
  platforms = ["juniper_junos"]
  rule "ntp" {
    severity = "high"
    required = ["set system ntp server 10.0.1.100"]
  }
}`)
	backups := filepath.Join(dir, "backups")
	write("backups/r1/r1-20261126T010000Z.cfg", "hostname r1\n")
	write("backups/r1/r1-20261127T010000Z.cfg", "hostname r1\nntp server 10.0.1.100\n")
	write("backups/j1/j1-20261127T010000Z.cfg", "system {\n    ntp {\n        server 10.0.1.100;\n    }\n}\n")

	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"audit", noRules}, "has no compliance block"},
		{[]string{"audit", bad}, "bad.hcl:13:17: error: Invalid regular expression"},
		{[]string{"audit", "--from", backups, "--lab", good}, "cannot be combined with --lab"},
		{[]string{"audit", "--from", filepath.Join(dir, "none"), good}, "not a directory"},
		{[]string{"audit", "--from", backups, "--limit", "nosuch", good}, "nosuch"},
		{[]string{"audit", "--lab-fault", "r1:hang=x", good}, "--lab-fault needs --lab"},
		{[]string{"audit", "--nope", good}, "unknown flag"},
		{[]string{"audit"}, "requires at least 1 arg"},
	} {
		code, out, errOut := runCLI(t, tt.args...)
		if code != exitInvalid || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s%s", tt.args, code, tt.stderr, out, errOut)
		}
	}

	jsonPath := filepath.Join(dir, "from.json")
	code, out, errOut := runCLI(t, "audit", "--from", backups, "--json", jsonPath, good)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1 (r2 has no backup)\n%s%s", code, out, errOut)
	}
	rep := readAuditJSON(t, jsonPath)
	st := rep.statuses()
	if st["r1"]["ntp"] != "pass" || st["j1"]["ntp"] != "pass" || len(st["r2"]) != 0 {
		t.Errorf("statuses %v: want r1 and j1 to pass ntp from their newest backups", st)
	}
	if r2 := rep.device(t, "r2"); r2.Status != "error" || !strings.Contains(r2.Message, "no backup of r2") {
		t.Errorf("r2: %+v", r2)
	}
	if !strings.Contains(out, "r2  not audited: no backup of r2 under") {
		t.Errorf("console:\n%s", out)
	}
	if code, out, errOut := runCLI(t, "audit", "--from", backups, "--limit", "r1,j1", good); code != exitOK {
		t.Errorf("--limit r1,j1: exit %d, want 0\n%s%s", code, out, errOut)
	}
}

// playbooks/ntp.hcl verifies its servers as whole lines: 10.0.1.10 is
// not there because 10.0.1.100 is.
func TestNTPVerifyWholeLines(t *testing.T) {
	pb, diags := hcl.Load([]string{playbook(t, "ntp.hcl")}, hcl.WithStepKinds(stepKinds()), hcl.WithEnv(func(string) (string, bool) { return "", false }))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s := pb.Step("send_command.verify")
	if s == nil || len(s.Asserts) != 1 {
		t.Fatal("no send_command.verify assertion")
	}
	a, err := tasks.CompileAssert(s.Asserts[0].Name, s.Asserts[0].Expr.Source, s.Asserts[0].Message)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		servers []any
		output  string
		want    bool
	}{
		{[]any{"10.0.1.100", "10.0.1.101"}, "ntp server 10.0.1.100\nntp server 10.0.1.101\n", true},
		{[]any{"10.0.1.100", "10.0.1.101"}, "ntp server 10.0.1.100 use-vrf management\r\nntp server 10.0.1.101 prefer\r\n", true},
		{[]any{"10.0.1.10"}, "ntp server 10.0.1.100\n", false},
		{[]any{"10.0.1.10"}, "no ntp server 10.0.1.10\n", false},
		{[]any{"10.0.1.100", "10.0.1.101"}, "ntp server 10.0.1.100\n", false},
	} {
		out, err := a.Eval(tasks.ExprEnv{Output: tt.output, Vars: map[string]any{"ntp_servers": tt.servers}})
		if err != nil || out.Passed != tt.want {
			t.Errorf("servers %v, output %q: passed %v (%v), want %v", tt.servers, tt.output, out.Passed, err, tt.want)
		}
	}
}

// No report of an audit holds a secret: the playbook's (a host's
// password, a sensitive variable) nor the credentials of configuration
// lines (hashes, communities). Remediation files keep configuration
// values, which applying them needs, but not the playbook's secrets.
func TestAuditSecretsRedacted(t *testing.T) {
	dir := t.TempDir()
	const password, community, hash = "Zq9-secret-pw", "c0mmun1ty-S3cret", "$9$lab$f00dfeed"
	t.Setenv("RUNBOOK_PASSWORD", password)
	play := filepath.Join(dir, "audit.hcl")
	src := `variable "community" {
  type      = string
  sensitive = true
}
inventory {
  defaults {
    platform = "cisco_ios"
    username = "audit"
    password = env("RUNBOOK_PASSWORD")
  }
  host "r1" { address = "192.0.2.1" }
}
compliance "c" {
  rule "community" {
    severity  = "high"
    forbidden = ["snmp-server community ${var.community}"]
  }
  rule "users" {
    regex     = true
    forbidden = ["username .*"]
  }
  rule "descriptions" {
    regex = true
    section "interface .*" {
      forbidden = ["description .*"]
    }
  }
  rule "must" {
    required = ["snmp-server community ${var.community} RW"]
  }
}
`
	backup := "hostname r1\nusername admin privilege 15 secret 9 " + hash + "\nsnmp-server community " + community + " RO\n" +
		"interface Gi0/1\n description pw " + password + "\n"
	for p, b := range map[string]string{play: src, filepath.Join(dir, "b", "r1", "r1-20261127T010000Z.cfg"): backup} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reports := map[string]string{"--json": "a.json", "--junit": "a.xml", "--markdown": "a.md", "--html": "a.html"}
	args := []string{"audit", "-v", "--from", filepath.Join(dir, "b"), "--var", "community=" + community, "--remediation", filepath.Join(dir, "rem"), play}
	for flag, name := range reports {
		args = append(args, flag, filepath.Join(dir, name))
	}
	code, out, errOut := runCLI(t, args...)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	texts := map[string]string{"stdout": out, "stderr": errOut}
	for _, name := range reports {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(b)
	}
	for name, text := range texts {
		for _, secret := range []string{password, community, hash, "f00dfeed"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q:\n%s", name, secret, text)
			}
		}
	}
	// The findings are still there, with the secrets masked.
	if !strings.Contains(out, "- username admin privilege 15 secret 9 (sensitive)") || !strings.Contains(out, "-  description pw (sensitive)") ||
		!strings.Contains(out, "- snmp-server community (sensitive) RO") || !strings.Contains(out, "+ snmp-server community (sensitive) RW") {
		t.Errorf("console:\n%s", out)
	}
	rem, err := os.ReadFile(filepath.Join(dir, "rem", "r1.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	// The community is a sensitive variable: a playbook secret, redacted
	// there too; the hash is a configuration value, kept.
	if strings.Contains(string(rem), password) || strings.Contains(string(rem), community) || !strings.Contains(string(rem), " no description pw (sensitive)\n") ||
		!strings.Contains(string(rem), "no snmp-server community (sensitive) RO\n") || !strings.Contains(string(rem), "no username admin privilege 15 secret 9 "+hash+"\n") ||
		!strings.Contains(string(rem), "! users (medium)\n") {
		t.Errorf("remediation:\n%s", rem)
	}
}
