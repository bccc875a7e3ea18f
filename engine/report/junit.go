package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

type junitSink struct {
	path   string
	col    collector
	closed bool
}

// NewJUnit returns a sink that writes a JUnit XML report to path when closed:
// one testsuite per device, one testcase per step and per assertion. A step
// that failed (the device answered, but wrongly) is a <failure>; a step that
// errored (transport, timeout) or a device that was unreachable is an
// <error>; a skipped step is <skipped/>. That is how CI systems read them.
func NewJUnit(path string) engine.Sink {
	return &junitSink{path: path}
}

func (s *junitSink) Event(ev engine.Event) { s.col.add(ev) }

func (s *junitSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	doc := buildJUnit(s.col.report())
	err := writeFileAtomic(s.path, fileMode, func(w io.Writer) error {
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

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Hostname  string      `xml:"hostname,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func junitTime(secs float64) string { return fmt.Sprintf("%.3f", secs) }

func buildJUnit(rep *engine.Report) junitSuites {
	doc := junitSuites{Name: rep.Playbook, Time: junitTime(rep.Duration.Seconds())}
	for _, d := range rep.Devices {
		suite := junitSuite{
			Name:     d.Name,
			Time:     junitTime(d.Duration.Seconds()),
			Hostname: d.Address,
		}
		if !d.Start.IsZero() {
			suite.Timestamp = d.Start.Format("2006-01-02T15:04:05")
		}
		problem := false
		for _, st := range d.Steps {
			name := stepName(st)
			tc := junitCase{Classname: d.Name, Name: name, Time: junitTime(st.Duration.Seconds())}
			detail := strings.Join(failureDetails(st), "\n")
			switch st.Status {
			case engine.StatusFailed:
				tc.Failure = &junitProblem{Message: oneLine(detail), Type: "failed", Text: detail}
				problem = true
			case engine.StatusError:
				typ := "error"
				if d.Status == engine.DeviceUnreachable || d.Status == engine.DeviceAuthFailed {
					typ = string(d.Status)
				}
				tc.Error = &junitProblem{Message: oneLine(detail), Type: typ, Text: detail}
				problem = true
			case engine.StatusSkipped:
				tc.Skipped = &junitProblem{Message: st.Message}
			}
			suite.Cases = append(suite.Cases, tc)
			for _, a := range st.Asserts {
				ac := junitCase{Classname: d.Name, Name: name + " assert " + a.Name, Time: junitTime(0)}
				if !a.Passed {
					ac.Failure = &junitProblem{Message: oneLine(a.Message), Type: "assertion", Text: a.Message}
				}
				suite.Cases = append(suite.Cases, ac)
			}
		}
		// A device-level outcome no step shows (unreachable before any step
		// ran, an error outside steps, a device never started) still needs a
		// testcase, or CI would show the device as green or empty.
		if dc, ok := deviceCase(d, problem); ok {
			suite.Cases = append(suite.Cases, dc)
		}
		for _, tc := range suite.Cases {
			suite.Tests++
			switch {
			case tc.Failure != nil:
				suite.Failures++
			case tc.Error != nil:
				suite.Errors++
			case tc.Skipped != nil:
				suite.Skipped++
			}
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	return doc
}

func deviceCase(d *engine.DeviceResult, stepProblem bool) (junitCase, bool) {
	tc := junitCase{Classname: d.Name, Name: "device", Time: junitTime(d.Duration.Seconds())}
	switch d.Status {
	case engine.DeviceUnreachable, engine.DeviceAuthFailed, engine.DeviceError:
		if stepProblem && deviceMessageListed(d) {
			return tc, false
		}
		typ := string(d.Status)
		if d.Status == engine.DeviceUnreachable || d.Status == engine.DeviceAuthFailed {
			tc.Name = "connect"
		}
		msg := d.Message
		if msg == "" {
			msg = "device " + typ
		}
		tc.Error = &junitProblem{Message: oneLine(msg), Type: typ, Text: msg}
		return tc, true
	case engine.DeviceSkipped:
		if len(d.Steps) > 0 {
			return tc, false
		}
		tc.Skipped = &junitProblem{Message: d.Message}
		return tc, true
	}
	return tc, false
}

// oneLine shortens a message for an attribute; the element text keeps it
// whole. Viewers show the attribute in one-line lists.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
