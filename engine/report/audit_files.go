package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// The audit's JSON document. Keys are always present (empty arrays, not
// null), as in the run report.
type auditJSON struct {
	Playbook    string          `json:"playbook"`
	Source      string          `json:"source"`
	Started     time.Time       `json:"started"`
	DurationMS  int64           `json:"duration_ms"`
	Interrupted bool            `json:"interrupted"`
	Compliant   bool            `json:"compliant"`
	Summary     auditJSONScore  `json:"summary"`
	Rules       []auditJSONRule `json:"rules"`
	Groups      []auditJSONGrp  `json:"groups"`
	Devices     []auditJSONDev  `json:"devices"`
}

type auditJSONScore struct {
	Score
	// Percent is the percentage of the checks made that passed.
	Percent float64 `json:"score"`
}

type auditJSONRule struct {
	ID       string         `json:"id"`
	Severity string         `json:"severity"`
	Message  string         `json:"message"`
	Origin   string         `json:"origin"`
	Summary  auditJSONScore `json:"summary"`
}

type auditJSONGrp struct {
	Group   string         `json:"group"`
	Summary auditJSONScore `json:"summary"`
}

type auditJSONDev struct {
	Name     string          `json:"name"`
	Platform string          `json:"platform"`
	Groups   []string        `json:"groups"`
	Status   string          `json:"status"`
	Message  string          `json:"message"`
	Source   string          `json:"source,omitempty"`
	Results  []auditJSONRes  `json:"rules"`
	Score    *auditJSONScore `json:"summary"`
}

type auditJSONRes struct {
	Rule        string             `json:"rule"`
	Status      string             `json:"status"`
	Severity    string             `json:"severity"`
	Message     string             `json:"message"`
	Lines       []auditJSONFinding `json:"lines"`
	Remediation []string           `json:"remediation"`
}

type auditJSONFinding struct {
	Kind string   `json:"kind"`
	Path []string `json:"path"`
	Line string   `json:"line"`
}

func scoreJSON(s Score) auditJSONScore { return auditJSONScore{Score: s, Percent: s.Percent()} }

func buildAuditJSON(a *Audit) auditJSON {
	doc := auditJSON{
		Playbook:    a.Playbook,
		Source:      a.Source,
		Started:     a.Started,
		DurationMS:  a.Duration.Milliseconds(),
		Interrupted: a.Interrupted,
		Compliant:   a.Compliant(),
		Summary:     scoreJSON(a.Summary()),
		Rules:       []auditJSONRule{},
		Groups:      []auditJSONGrp{},
		Devices:     make([]auditJSONDev, 0, len(a.Devices)),
	}
	for _, rs := range a.ByRule() {
		doc.Rules = append(doc.Rules, auditJSONRule{ID: rs.Rule.ID, Severity: rs.Rule.Severity, Message: rs.Rule.Message, Origin: rs.Rule.Origin, Summary: scoreJSON(rs.Score)})
	}
	for _, g := range a.ByGroup() {
		doc.Groups = append(doc.Groups, auditJSONGrp{Group: g.Group, Summary: scoreJSON(g.Score)})
	}
	for _, d := range a.Devices {
		var s Score
		s.addDevice(d)
		sj := scoreJSON(s)
		jd := auditJSONDev{
			Name: d.Name, Platform: d.Platform, Groups: nonNil(d.Groups), Status: d.Status, Message: d.Message,
			Source: d.Source, Results: make([]auditJSONRes, 0, len(d.Results)), Score: &sj,
		}
		for _, r := range d.Results {
			jr := auditJSONRes{
				Rule: r.Rule, Status: r.Status, Severity: a.severity(r.Rule), Message: a.message(r),
				Lines: make([]auditJSONFinding, 0, len(r.Findings)), Remediation: nonNil(r.Remediation),
			}
			if r.Status == AuditPass {
				jr.Message = ""
				if rule := a.Rule(r.Rule); rule != nil {
					jr.Message = rule.Message
				}
			}
			for _, f := range r.Findings {
				jr.Lines = append(jr.Lines, auditJSONFinding{Kind: f.Kind, Path: nonNil(f.Path), Line: f.Line})
			}
			jd.Results = append(jd.Results, jr)
		}
		doc.Devices = append(doc.Devices, jd)
	}
	return doc
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WriteAuditJSON writes the audit as JSON to path, whole or not at all:
// the summary, each rule and group with its score, and per device per
// rule the status, severity, message, the lines found (kind, section
// path, line) and the remediation.
func WriteAuditJSON(path string, a *Audit) error {
	doc := buildAuditJSON(a)
	err := writeFileAtomic(path, fileMode, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	if err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

// WriteAuditJUnit writes the audit as JUnit XML: one testsuite per device,
// one testcase per rule in its scope. A failed rule is a <failure> whose
// text holds the lines in context and the remediation; a device that could
// not be audited has an <error> in each of its testcases.
func WriteAuditJUnit(path string, a *Audit) error {
	doc := junitSuites{Name: "runbook audit " + a.Playbook, Time: seconds(a.Duration)}
	for _, d := range a.Devices {
		suite := junitSuite{Name: d.Name, Time: "0", Hostname: d.Name}
		for _, r := range d.Results {
			c := junitCase{Classname: d.Name, Name: r.Rule, Time: "0"}
			switch r.Status {
			case AuditPass:
			case AuditFail:
				text := findingText(r.Findings)
				if len(r.Remediation) > 0 {
					text += "\nremediation:\n" + strings.Join(r.Remediation, "\n") + "\n"
				}
				c.Failure = &junitProblem{Message: fmt.Sprintf("[%s] %s", a.severity(r.Rule), a.message(r)), Type: "not_compliant", Text: text}
				suite.Failures++
			default:
				c.Error = &junitProblem{Message: a.message(r), Type: "error"}
				suite.Errors++
			}
			suite.Cases = append(suite.Cases, c)
			suite.Tests++
		}
		if d.Status == AuditError && len(d.Results) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Classname: d.Name, Name: "audit", Time: "0", Error: &junitProblem{Message: d.Message, Type: "error"}})
			suite.Tests++
			suite.Errors++
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Suites = append(doc.Suites, suite)
	}
	err := writeFileAtomic(path, fileMode, func(w io.Writer) error {
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	return nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteAuditMarkdown writes the audit as Markdown for a ticket: the score,
// the rules and groups with theirs, and per device not compliant the
// failed rules with the lines in context and the remediation.
func WriteAuditMarkdown(path string, a *Audit) error {
	err := writeFileAtomic(path, fileMode, func(w io.Writer) error {
		writeAuditMarkdown(w, a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("markdown report: %w", err)
	}
	return nil
}

// mdCell keeps a table cell on one line and its pipes literal.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdFence is a code fence longer than any backtick run in text.
func mdFence(text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence
}

func writeAuditMarkdown(w io.Writer, a *Audit) {
	s := a.Summary()
	fmt.Fprintf(w, "# Compliance audit: %s\n\n", mdCell(a.Playbook))
	fmt.Fprintf(w, "%s, from %s. ", a.Started.UTC().Format("2006-01-02 15:04 UTC"), a.Source)
	fmt.Fprintf(w, "**Score %.0f%%** (%d of %d checks passed); devices: %d compliant, %d not compliant, %d not audited.\n\n",
		s.Percent(), s.Passed, s.Passed+s.Failed, s.Compliant, s.NotCompliant, s.Errors)
	if a.Interrupted {
		fmt.Fprintf(w, "The audit was interrupted: devices not reached are not audited.\n\n")
	}
	fmt.Fprintf(w, "## Rules\n\n| rule | severity | passed | score | message |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range a.ByRule() {
		fmt.Fprintf(w, "| %s | %s | %d/%d | %.0f%% | %s |\n", mdCell(r.Rule.ID), r.Rule.Severity, r.Compliant, r.Compliant+r.NotCompliant, r.Percent(), mdCell(r.Rule.Message))
	}
	fmt.Fprintf(w, "\n## Groups\n\n| group | devices | compliant | score |\n| --- | --- | --- | --- |\n")
	for _, g := range a.ByGroup() {
		fmt.Fprintf(w, "| %s | %d | %d | %.0f%% |\n", mdCell(g.Group), g.Devices, g.Compliant, g.Percent())
	}
	fmt.Fprintf(w, "\n## Devices\n\n| device | platform | status | failed rules |\n| --- | --- | --- | --- |\n")
	for _, d := range a.Devices {
		var ids []string
		for _, r := range d.Failed() {
			ids = append(ids, r.Rule)
		}
		note := strings.Join(ids, ", ")
		if d.Status == AuditError {
			note = d.Message
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCell(d.Name), mdCell(d.Platform), statusWord(d.Status), mdCell(note))
	}
	for _, d := range a.Devices {
		failed := d.Failed()
		if d.Status == AuditCompliant || (len(failed) == 0 && d.Message == "") {
			continue
		}
		fmt.Fprintf(w, "\n### %s (%s): %s\n\n", mdCell(d.Name), mdCell(d.Platform), statusWord(d.Status))
		if d.Message != "" {
			fmt.Fprintf(w, "%s\n\n", mdCell(d.Message))
		}
		for _, r := range failed {
			fmt.Fprintf(w, "- **%s** (%s): %s\n", mdCell(r.Rule), a.severity(r.Rule), mdCell(a.message(r)))
			if t := findingText(r.Findings); t != "" {
				f := mdFence(t)
				fmt.Fprintf(w, "\n  %sdiff\n%s  %s\n", f, indentLines(t, "  "), f)
			}
			if len(r.Remediation) > 0 {
				t := strings.Join(r.Remediation, "\n") + "\n"
				f := mdFence(t)
				fmt.Fprintf(w, "\n  Remediation:\n\n  %s\n%s  %s\n", f, indentLines(t, "  "), f)
			}
			fmt.Fprintln(w)
		}
	}
}

func indentLines(text, ind string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if l != "" {
			b.WriteString(ind + l)
		}
	}
	return b.String()
}
