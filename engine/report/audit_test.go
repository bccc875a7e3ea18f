package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func auditFixture() *Audit {
	return &Audit{
		Playbook: "audit.hcl",
		Source:   "lab",
		Started:  time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC),
		Duration: 1500 * time.Millisecond,
		Rules: []AuditRule{
			{ID: "ntp", Severity: "high", Message: "NTP servers", Origin: `compliance "base"`},
			{ID: "vty", Severity: "low", Message: "ssh | only", Origin: `compliance "ios"`},
			{ID: "eapi", Severity: "medium", Message: "", Origin: `compliance "eos"`},
		},
		Devices: []*AuditDevice{
			{Name: "sw1", Platform: "cisco_ios", Groups: []string{"access"}, Status: AuditNotCompliant, Results: []AuditResult{
				{Rule: "ntp", Status: AuditFail, Findings: []AuditFinding{{Kind: "missing", Line: "ntp server 10.0.1.101"}}, Remediation: []string{"ntp server 10.0.1.101"}},
				{Rule: "vty", Status: AuditFail, Findings: []AuditFinding{
					{Kind: "forbidden", Path: []string{"line vty 0 4"}, Line: "transport input telnet"},
					{Kind: "missing", Path: []string{"line vty 0 4"}, Line: "transport input ssh"},
					{Kind: "missing_section", Line: "line vty 5 15"},
				}, Remediation: []string{"line vty 0 4", " no transport input telnet"}},
			}},
			{Name: "sw2", Platform: "cisco_ios", Groups: []string{"access"}, Status: AuditCompliant, Results: []AuditResult{
				{Rule: "ntp", Status: AuditPass}, {Rule: "vty", Status: AuditPass},
			}},
			{Name: "core1", Platform: "arista_eos", Groups: []string{"core"}, Status: AuditCompliant, Results: []AuditResult{
				{Rule: "ntp", Status: AuditPass}, {Rule: "eapi", Status: AuditPass},
			}},
			{Name: "core2", Platform: "arista_eos", Groups: []string{"core"}, Status: AuditError, Message: "no backup of core2", Results: []AuditResult{
				{Rule: "ntp", Status: AuditErrored, Message: "no backup of core2"},
			}},
			{Name: "x<1>", Platform: "cisco_ios", Status: AuditNotCompliant, Results: []AuditResult{
				{Rule: "ntp", Status: AuditFail, Findings: []AuditFinding{{Kind: "forbidden", Line: `banner </pre><script>alert("x")</script> & co`}}},
			}},
		},
	}
}

func TestAuditScores(t *testing.T) {
	a := auditFixture()
	want := Score{Devices: 5, Compliant: 2, NotCompliant: 2, Errors: 1, Checks: 8, Passed: 4, Failed: 3, Errored: 1}
	if diff := cmp.Diff(want, a.Summary()); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
	if p := a.Summary().Percent(); int(p) != 57 {
		t.Errorf("Percent = %v, want 57.1 (4 of the 7 checks made)", p)
	}
	if p := a.Summary().DevicePercent(); p != 50 {
		t.Errorf("DevicePercent = %v, want 50", p)
	}
	if (Score{}).Percent() != 100 || (Score{}).DevicePercent() != 100 {
		t.Error("an empty score is 100%")
	}
	rules := a.ByRule()
	if len(rules) != 3 {
		t.Fatalf("%d rule scores", len(rules))
	}
	if r := rules[0]; r.Rule.ID != "ntp" || r.Devices != 5 || r.Compliant != 2 || r.NotCompliant != 2 || r.Errors != 1 || r.Percent() != 50 {
		t.Errorf("ntp: %+v", r)
	}
	if r := rules[1]; r.Devices != 2 || r.Compliant != 1 || r.NotCompliant != 1 {
		t.Errorf("vty: %+v", r)
	}
	if r := rules[2]; r.Devices != 1 || r.Compliant != 1 || r.Percent() != 100 {
		t.Errorf("eapi: %+v", r)
	}
	var groups []string
	for _, g := range a.ByGroup() {
		groups = append(groups, g.Group)
		switch g.Group {
		case "access":
			if g.Devices != 2 || g.Compliant != 1 || g.Percent() != 50 {
				t.Errorf("access: %+v", g)
			}
		case "core":
			if g.Devices != 2 || g.Compliant != 1 || g.Errors != 1 || g.Percent() != 100 {
				t.Errorf("core: %+v", g)
			}
		}
	}
	if diff := cmp.Diff([]string{"(no group)", "access", "core"}, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if a.Compliant() {
		t.Error("Compliant with devices not compliant")
	}
	ok := &Audit{Devices: []*AuditDevice{{Status: AuditCompliant}}}
	if !ok.Compliant() {
		t.Error("not Compliant with every device compliant")
	}
	ok.Interrupted = true
	if ok.Compliant() {
		t.Error("an interrupted audit is Compliant")
	}
	if r := a.Devices[1].Result("eapi"); r != nil {
		t.Errorf("sw2 has eapi in scope: %+v", r)
	}
	if got := len(a.Devices[0].Failed()); got != 2 {
		t.Errorf("sw1 failed %d", got)
	}
}

func TestAuditRedact(t *testing.T) {
	a := auditFixture()
	a.Devices[0].Message = "secret-pw"
	a.Devices[0].Results[0].Message = "secret-pw"
	a.Devices[0].Results[1].Findings[0].Path[0] = "line vty secret-pw"
	a.Devices[0].Results[1].Findings[0].Line = "password secret-pw"
	a.Devices[0].Results[1].Remediation[1] = " password secret-pw"
	var seen []string
	a.Redact(func(device string) func(string) string {
		seen = append(seen, device)
		return func(s string) string { return strings.ReplaceAll(s, "secret-pw", "(sensitive)") }
	})
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "secret-pw") {
		t.Errorf("a secret survived Redact: %s", b)
	}
	if len(seen) != 5 || seen[0] != "sw1" {
		t.Errorf("redactors asked for %v", seen)
	}
}

func TestAuditFindingText(t *testing.T) {
	got := findingText(auditFixture().Devices[0].Results[1].Findings)
	want := "  line vty 0 4\n-  transport input telnet\n+  transport input ssh\n? no section matches line vty 5 15\n"
	if got != want {
		t.Errorf("findingText:\n%s\nwant:\n%s", got, want)
	}
	got = findingText([]AuditFinding{{Kind: "assert", Line: "no loopback"}, {Kind: "extra", Path: []string{"a", "b"}, Line: "c"}, {Kind: "missing", Path: []string{"a", "x"}, Line: "y"}})
	want = "? assert no loopback\n  a\n   b\n-   c\n   x\n+   y\n"
	if got != want {
		t.Errorf("findingText:\n%s\nwant:\n%s", got, want)
	}
}

func TestAuditConsole(t *testing.T) {
	var b bytes.Buffer
	WriteAuditConsole(&b, auditFixture(), false, false)
	want := `
COMPLIANCE
sw1    not compliant  2 of 2 rules failed: ntp (high), vty (low)
sw2    compliant  2 rules passed
core1  compliant  2 rules passed
core2  not audited: no backup of core2
x<1>   not compliant  1 of 1 rules failed: ntp (high)

5 devices: 2 compliant, 2 not compliant, 1 not audited; 4 of 7 checks passed (57%)
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}
	b.Reset()
	a := auditFixture()
	a.Devices[0].Results[0], a.Devices[0].Results[1] = a.Devices[0].Results[1], a.Devices[0].Results[0]
	WriteAuditConsole(&b, a, true, true)
	for _, s := range []string{"sw1    not compliant  2 of 2 rules failed: ntp (high), vty (low)\n", "    vty: ssh | only\n        line vty 0 4\n      -  transport input telnet\n", "    ntp: NTP servers\n      + ntp server 10.0.1.101\n"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("verbose console lacks %q:\n%s", s, b.String())
		}
	}
	if strings.Contains(b.String(), "sw2") {
		t.Errorf("quiet console shows a compliant device:\n%s", b.String())
	}
}

func TestAuditJSONReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.json")
	if err := WriteAuditJSON(path, auditFixture()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["compliant"] != false || doc["source"] != "lab" || doc["duration_ms"] != 1500.0 {
		t.Errorf("doc: compliant %v source %v duration %v", doc["compliant"], doc["source"], doc["duration_ms"])
	}
	if s := doc["summary"].(map[string]any); int(s["score"].(float64)) != 57 || s["failed"] != 3.0 {
		t.Errorf("summary %v", s)
	}
	devs := doc["devices"].([]any)
	sw1 := devs[0].(map[string]any)
	rules := sw1["rules"].([]any)
	vty := rules[1].(map[string]any)
	if vty["severity"] != "low" || vty["status"] != "fail" || vty["message"] != "ssh | only" {
		t.Errorf("vty %v", vty)
	}
	line := vty["lines"].([]any)[0].(map[string]any)
	if line["kind"] != "forbidden" || line["line"] != "transport input telnet" || line["path"].([]any)[0] != "line vty 0 4" {
		t.Errorf("line %v", line)
	}
	// Arrays are never null, so that tools need no guards.
	sw2 := devs[1].(map[string]any)
	pass := sw2["rules"].([]any)[0].(map[string]any)
	if pass["lines"] == nil || pass["remediation"] == nil || pass["message"] != "NTP servers" {
		t.Errorf("passed rule %v", pass)
	}
	if devs[4].(map[string]any)["groups"] == nil {
		t.Error("groups is null")
	}
	if core2 := devs[3].(map[string]any); core2["status"] != "error" || core2["rules"].([]any)[0].(map[string]any)["message"] != "no backup of core2" {
		t.Errorf("core2 %v", core2)
	}
}

func TestAuditJUnitReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.xml")
	a := auditFixture()
	a.Devices = append(a.Devices, &AuditDevice{Name: "gone", Status: AuditError, Message: "unreachable"})
	if err := WriteAuditJUnit(path, a); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 9 || doc.Failures != 3 || doc.Errors != 2 || len(doc.Suites) != 6 {
		t.Errorf("tests %d failures %d errors %d suites %d", doc.Tests, doc.Failures, doc.Errors, len(doc.Suites))
	}
	c := doc.Suites[0].Cases[1]
	if c.Name != "vty" || c.Classname != "sw1" || c.Failure == nil || c.Failure.Message != "[low] ssh | only" ||
		!strings.Contains(c.Failure.Text, "-  transport input telnet") || !strings.Contains(c.Failure.Text, "remediation:\nline vty 0 4\n no transport input telnet") {
		t.Errorf("sw1/vty: %+v %+v", c, c.Failure)
	}
	if c := doc.Suites[1].Cases[0]; c.Failure != nil || c.Error != nil {
		t.Errorf("sw2/ntp passed but %+v", c)
	}
	if c := doc.Suites[3].Cases[0]; c.Error == nil || c.Error.Message != "no backup of core2" {
		t.Errorf("core2: %+v", c)
	}
	if s := doc.Suites[5]; len(s.Cases) != 1 || s.Cases[0].Error == nil || s.Cases[0].Error.Message != "unreachable" {
		t.Errorf("gone: %+v", s)
	}
}

func TestAuditMarkdownReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.md")
	a := auditFixture()
	a.Devices[0].Results[0].Findings[0].Line = "banner motd ```x```"
	if err := WriteAuditMarkdown(path, a); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, s := range []string{
		"# Compliance audit: audit.hcl\n",
		"**Score 57%** (4 of 7 checks passed); devices: 2 compliant, 2 not compliant, 1 not audited.",
		"| vty | low | 1/2 | 50% | ssh \\| only |",
		"| core | 2 | 1 | 100% |",
		"| core2 | arista_eos | not audited | no backup of core2 |",
		"### sw1 (cisco_ios): not compliant",
		"- **vty** (low): ssh \\| only\n\n  ```diff\n    line vty 0 4\n  -  transport input telnet\n",
		"  Remediation:\n\n  ```\n  line vty 0 4\n   no transport input telnet\n  ```",
		"  ````diff\n  + banner motd ```x```\n  ````",
		"### core2 (arista_eos): not audited\n\nno backup of core2\n",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	if strings.Contains(md, "### sw2") || strings.Contains(md, "### core1") {
		t.Errorf("markdown details a compliant device:\n%s", md)
	}
}

func TestAuditHTMLReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.html")
	if err := WriteAuditHTML(path, auditFixture()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if strings.Contains(page, `<script>alert`) || !strings.Contains(page, "&lt;/pre&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co") {
		t.Errorf("device text is not escaped")
	}
	for _, bad := range []string{"http://", "https://", " src=", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	// Well-formed: every element closed, the script and style safe.
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var cells []string
	var rows, articles int
	var ids []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var class, id string
		for _, at := range se.Attr {
			switch at.Name.Local {
			case "class":
				class = at.Value
			case "id":
				id = at.Value
			}
		}
		if id != "" {
			ids = append(ids, id)
		}
		switch {
		case se.Name.Local == "td" && strings.HasPrefix(class, "c "):
			cells = append(cells, strings.TrimPrefix(class, "c "))
		case se.Name.Local == "tr" && class == "" && len(se.Attr) > 0:
			rows++
		case se.Name.Local == "article":
			articles++
		}
	}
	want := []string{
		"fail sev-high", "fail sev-low", "na", // sw1
		"pass", "pass", "na", // sw2
		"pass", "na", "pass", // core1
		"err", "na", "na", // core2
		"fail sev-high", "na", "na", // x<1>
	}
	if diff := cmp.Diff(want, cells); diff != "" {
		t.Errorf("matrix cells (-want +got):\n%s", diff)
	}
	if rows != 5 || articles != 3 {
		t.Errorf("%d matrix rows, %d device sections; want 5 and 3", rows, articles)
	}
	for _, id := range []string{"summary", "score", "rules", "groups", "matrix", "filter", "status", "shown", "device-1", "device-4", "device-5"} {
		if !strings.Contains(" "+strings.Join(ids, " ")+" ", " "+id+" ") {
			t.Errorf("no element with id %q (ids %v)", id, ids)
		}
	}
	for _, s := range []string{`<div class="big" id="score">57%</div>`, "4 of 7 checks passed", `<span style="width: 50%">`, "ntp server 10.0.1.101", "no transport input telnet"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.ContainsAny(auditScript, "<&") || strings.ContainsAny(auditCSS, "<&") {
		t.Error("the script or the style holds < or &: the page would not be well-formed")
	}
}
