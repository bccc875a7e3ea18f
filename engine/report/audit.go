package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Audit is the outcome of `runbook audit`: every device against every
// rule in its scope. The writers (WriteAuditJSON, WriteAuditJUnit,
// WriteAuditMarkdown, WriteAuditHTML, WriteAuditConsole) all read it; redact
// it first (Redact), as they print what it holds.
type Audit struct {
	Playbook string
	// Source says where the configurations came from: "devices", "lab"
	// (simulated devices) or "backups in DIR" (--from).
	Source      string
	Started     time.Time
	Duration    time.Duration
	Interrupted bool
	// Rules are the columns of the reports, in declaration order.
	Rules   []AuditRule
	Devices []*AuditDevice // inventory order
}

// AuditRule is one rule of the audit.
type AuditRule struct {
	ID       string
	Severity string // high, medium, low
	Message  string
	// Origin is where the rule comes from: `compliance "baseline"`, `step
	// send_command.interfaces` (an assertion), `intended of "baseline"`.
	Origin string
}

// Device statuses of an audit.
const (
	AuditCompliant    = "compliant"
	AuditNotCompliant = "not_compliant"
	// AuditError: the device could not be audited (unreachable, no
	// backup, the configuration could not be read).
	AuditError = "error"
)

// Result statuses of one rule on one device.
const (
	AuditPass = "pass"
	AuditFail = "fail"
	// AuditErrored: the rule could not be checked (the configuration or
	// the step it needs is missing).
	AuditErrored = "error"
)

// AuditDevice is one device's audit.
type AuditDevice struct {
	Name     string
	Platform string
	Groups   []string
	Status   string // compliant, not_compliant, error
	// Message says why the device could not be audited, or which of its
	// steps failed.
	Message string
	// Source is the file audited (--from); empty for a live device.
	Source string
	// Results are the rules in the device's scope, in Rules order.
	Results []AuditResult
}

// AuditResult is one rule on one device.
type AuditResult struct {
	Rule     string
	Status   string // pass, fail, error
	Message  string // why it errored
	Findings []AuditFinding
	// Remediation: the configuration lines that would make it pass (as
	// far as they can be known), in order.
	Remediation []string
}

// AuditFinding is one reason a rule failed, in its context.
type AuditFinding struct {
	// Kind: missing (a required line is not there), forbidden (a line is
	// there that must not be), missing_section (no section matches),
	// extra (a line the intended configuration does not have), assert (a
	// failed assertion).
	Kind string
	// Path: the section lines the line is under, outermost first.
	Path []string
	Line string
}

// Redact passes every text of the audit that may hold device data
// through redact(device): messages, finding lines and paths, remediation.
func (a *Audit) Redact(redact func(device string) func(string) string) {
	for _, d := range a.Devices {
		r := redact(d.Name)
		d.Message = r(d.Message)
		for i := range d.Results {
			res := &d.Results[i]
			res.Message = r(res.Message)
			for j := range res.Findings {
				f := &res.Findings[j]
				f.Line = r(f.Line)
				for k := range f.Path {
					f.Path[k] = r(f.Path[k])
				}
			}
			for j := range res.Remediation {
				res.Remediation[j] = r(res.Remediation[j])
			}
		}
	}
}

// Rule returns the rule with this id, or nil.
func (a *Audit) Rule(id string) *AuditRule {
	for i := range a.Rules {
		if a.Rules[i].ID == id {
			return &a.Rules[i]
		}
	}
	return nil
}

// Result returns the device's result of rule id, or nil when the rule is
// not in its scope.
func (d *AuditDevice) Result(id string) *AuditResult {
	for i := range d.Results {
		if d.Results[i].Rule == id {
			return &d.Results[i]
		}
	}
	return nil
}

// Failed lists the device's failed (or errored) results.
func (d *AuditDevice) Failed() []AuditResult {
	var out []AuditResult
	for _, r := range d.Results {
		if r.Status != AuditPass {
			out = append(out, r)
		}
	}
	return out
}

// Compliant reports whether every device was audited and passed every
// rule in its scope.
func (a *Audit) Compliant() bool {
	if a.Interrupted {
		return false
	}
	for _, d := range a.Devices {
		if d.Status != AuditCompliant {
			return false
		}
	}
	return true
}

// Score is a compliance tally: devices, and checks (one rule on one
// device).
type Score struct {
	Devices      int `json:"devices"`
	Compliant    int `json:"compliant"`
	NotCompliant int `json:"not_compliant"`
	Errors       int `json:"errors"`
	Checks       int `json:"checks"`
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	// Errored checks could not be made; they count in Checks but not in
	// the percentage.
	Errored int `json:"errored"`
}

// Percent is the share of the checks made that passed, 0-100; 100 when
// no check was made.
func (s Score) Percent() float64 {
	if s.Passed+s.Failed == 0 {
		return 100
	}
	return 100 * float64(s.Passed) / float64(s.Passed+s.Failed)
}

// DevicePercent is the share of the audited devices that are compliant.
func (s Score) DevicePercent() float64 {
	if s.Compliant+s.NotCompliant == 0 {
		return 100
	}
	return 100 * float64(s.Compliant) / float64(s.Compliant+s.NotCompliant)
}

func (s *Score) addDevice(d *AuditDevice) {
	s.Devices++
	switch d.Status {
	case AuditCompliant:
		s.Compliant++
	case AuditNotCompliant:
		s.NotCompliant++
	default:
		s.Errors++
	}
	for _, r := range d.Results {
		s.addResult(r)
	}
}

func (s *Score) addResult(r AuditResult) {
	s.Checks++
	switch r.Status {
	case AuditPass:
		s.Passed++
	case AuditFail:
		s.Failed++
	default:
		s.Errored++
	}
}

// Summary is the whole fleet's score.
func (a *Audit) Summary() Score {
	var s Score
	for _, d := range a.Devices {
		s.addDevice(d)
	}
	return s
}

// RuleScore is one rule's score: the devices in its scope that pass it.
type RuleScore struct {
	Rule AuditRule
	Score
}

// ByRule scores each rule over the devices in its scope, in Rules order.
// Devices count as compliant when they pass the rule.
func (a *Audit) ByRule() []RuleScore {
	out := make([]RuleScore, len(a.Rules))
	idx := map[string]int{}
	for i, r := range a.Rules {
		out[i].Rule = r
		idx[r.ID] = i
	}
	for _, d := range a.Devices {
		for _, r := range d.Results {
			i, ok := idx[r.Rule]
			if !ok {
				continue
			}
			s := &out[i].Score
			s.Devices++
			switch r.Status {
			case AuditPass:
				s.Compliant++
			case AuditFail:
				s.NotCompliant++
			default:
				s.Errors++
			}
			s.addResult(r)
		}
	}
	return out
}

// GroupScore is one inventory group's score.
type GroupScore struct {
	Group string
	Score
}

// ByGroup scores each group, in name order; devices outside any group
// are under "(no group)".
func (a *Audit) ByGroup() []GroupScore {
	m := map[string]*Score{}
	for _, d := range a.Devices {
		groups := d.Groups
		if len(groups) == 0 {
			groups = []string{"(no group)"}
		}
		for _, g := range groups {
			if m[g] == nil {
				m[g] = &Score{}
			}
			m[g].addDevice(d)
		}
	}
	out := make([]GroupScore, 0, len(m))
	for g, s := range m {
		out = append(out, GroupScore{Group: g, Score: *s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// severityRank orders severities, most severe first.
func severityRank(s string) int {
	switch s {
	case "high":
		return 0
	case "medium":
		return 1
	case "low":
		return 2
	}
	return 3
}

// statusWord is a device status as people read it.
func statusWord(s string) string {
	switch s {
	case AuditCompliant:
		return "compliant"
	case AuditNotCompliant:
		return "not compliant"
	}
	return "not audited"
}

// findingText renders a finding in context: its sections (unmarked),
// then the line marked "-" (there and should not be), "+" (missing) or
// "?" (a missing section, an assertion).
func findingText(findings []AuditFinding) string {
	var b strings.Builder
	var shown []string
	for _, f := range findings {
		common := 0
		for common < len(shown) && common < len(f.Path) && shown[common] == f.Path[common] {
			common++
		}
		for d := common; d < len(f.Path); d++ {
			b.WriteString("  " + strings.Repeat(" ", d) + f.Path[d] + "\n")
		}
		mark := "?"
		switch f.Kind {
		case "missing":
			mark = "+"
		case "forbidden", "extra":
			mark = "-"
		}
		line := f.Line
		switch f.Kind {
		case "missing_section":
			line = "no section matches " + f.Line
		case "assert":
			line = "assert " + f.Line
		}
		ind := strings.Repeat(" ", len(f.Path))
		b.WriteString(mark + " " + ind + strings.ReplaceAll(line, "\n", "\n  "+ind) + "\n")
		shown = append(shown[:0:0], f.Path...)
	}
	return b.String()
}

// WriteAuditConsole prints the audit for people at a terminal: one line
// per device (the failed rules by id, most severe first), then the fleet's
// score. verbose adds each failed rule's findings.
func WriteAuditConsole(w io.Writer, a *Audit, quiet, verbose bool) {
	width := 0
	for _, d := range a.Devices {
		width = max(width, len(d.Name))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "COMPLIANCE")
	for _, d := range a.Devices {
		if quiet && d.Status == AuditCompliant {
			continue
		}
		line := fmt.Sprintf("%-*s  %s", width, d.Name, statusWord(d.Status))
		failed := d.Failed()
		switch {
		case d.Status == AuditError:
			line += ": " + d.Message
		case len(failed) > 0:
			sort.SliceStable(failed, func(i, j int) bool {
				return severityRank(a.severity(failed[i].Rule)) < severityRank(a.severity(failed[j].Rule))
			})
			var ids []string
			for _, r := range failed {
				ids = append(ids, fmt.Sprintf("%s (%s)", r.Rule, a.severity(r.Rule)))
			}
			line += fmt.Sprintf("  %d of %d rules failed: %s", len(failed), len(d.Results), strings.Join(ids, ", "))
			if d.Message != "" {
				line += "; " + d.Message
			}
		default:
			line += fmt.Sprintf("  %d rules passed", len(d.Results))
		}
		fmt.Fprintln(w, line)
		if verbose {
			for _, r := range failed {
				fmt.Fprintf(w, "    %s: %s\n", r.Rule, a.message(r))
				for _, l := range strings.Split(strings.TrimRight(findingText(r.Findings), "\n"), "\n") {
					if l != "" {
						fmt.Fprintf(w, "      %s\n", l)
					}
				}
			}
		}
	}
	s := a.Summary()
	fmt.Fprintf(w, "\n%s: %d compliant, %d not compliant, %d not audited; %d of %d checks passed (%.0f%%)\n",
		auditCount(s.Devices, "device", "devices"), s.Compliant, s.NotCompliant, s.Errors, s.Passed, s.Passed+s.Failed, s.Percent())
}

func (a *Audit) severity(id string) string {
	if r := a.Rule(id); r != nil {
		return r.Severity
	}
	return ""
}

// message is why a result did not pass: the rule's message, or the
// error.
func (a *Audit) message(r AuditResult) string {
	if r.Status == AuditErrored && r.Message != "" {
		return r.Message
	}
	if rule := a.Rule(r.Rule); rule != nil && rule.Message != "" {
		return rule.Message
	}
	return "failed"
}

func auditCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
